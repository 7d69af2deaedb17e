/**
 * The Java code of the documentation (README.md and docs/): every ```java block there is a region
 * of these sources marked {@code // tag::NAME[]} ... {@code // end::NAME[]}, so a renamed method
 * breaks the build, not the docs. {@link io.kck.docs.DocsTest} checks that each block is one of
 * these regions, and {@link io.kck.docs.FirstApplicationTest} runs the getting-started story.
 */
package io.kck.docs;
