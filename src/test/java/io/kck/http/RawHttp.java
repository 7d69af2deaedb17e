package io.kck.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 by hand over a socket, for what java.net.http will not send: request targets that are
 * not valid URIs (bad percent-escapes, raw bytes), a chosen client address (127.0.0.x), any Host.
 */
final class RawHttp {
  record Response(int status, Map<String, String> headers, String body) {}

  private RawHttp() {}

  /** Sends one request with {@code Connection: close} and reads the whole answer. */
  static Response send(int port, String method, String target, String host, String body, String... headers) throws IOException {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(30_000);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      write(socket.getOutputStream(), method, target, host, body, true, headers);
      return read(socket.getInputStream());
    }
  }

  /**
   * Sends a request's head declaring a body of {@code contentLength} bytes, sends none of it, and
   * reads the answer: what a service that refuses by the declared length answers at once.
   */
  static Response declaring(int port, String method, String target, long contentLength, String... headers)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(30_000);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      String[] all = java.util.Arrays.copyOf(headers, headers.length + 2);
      all[headers.length] = "Content-Length";
      all[headers.length + 1] = Long.toString(contentLength);
      write(socket.getOutputStream(), method, target, "127.0.0.1", null, true, all);
      return read(socket.getInputStream());
    }
  }

  /** Opens a request from {@code localAddress} and leaves it open (an event stream); reads the status line. */
  static Socket open(int port, String localAddress, String target, String... headers) throws IOException {
    Socket socket = new Socket();
    socket.setSoTimeout(30_000);
    socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    write(socket.getOutputStream(), "GET", target, "127.0.0.1", null, false, headers);
    return socket;
  }

  /** The status line's code of a response being read from {@code socket}. */
  static int status(Socket socket) throws IOException {
    String line = line(socket.getInputStream());
    return Integer.parseInt(line.split(" ")[1]);
  }

  private static void write(OutputStream out, String method, String target, String host, String body, boolean close,
      String... headers) throws IOException {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    if (host != null) {
      request.append("Host: ").append(host).append("\r\n");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    if (close) {
      request.append("Connection: close\r\n");
    }
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(content);
    out.flush();
  }

  private static Response read(InputStream in) throws IOException {
    int status = Integer.parseInt(line(in).split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    String header;
    while (!(header = line(in)).isEmpty()) {
      int colon = header.indexOf(':');
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      int size;
      while ((size = Integer.parseInt(line(in).trim(), 16)) > 0) {
        body.write(in.readNBytes(size));
        line(in);
      }
    } else {
      in.transferTo(body);
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
