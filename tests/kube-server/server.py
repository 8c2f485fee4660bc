#!/usr/bin/env python3
"""A small canned HTTPS server that plays scripted Kubernetes API answers (tests only).

Python 3 standard library only. It listens on 127.0.0.1 (port 0 = any), writes the port to
--port-file once it accepts connections, and appends one JSON line per request to --log.

Scenario file (JSON):
{
  "auth": {"tokens": ["t1"], "client_certs": true},   # optional: demand a bearer token from
                                                      # the list or a client cert signed by
                                                      # --client-ca; otherwise 401 Status
  "routes": [
    {"method": "GET", "path": "/api/v1/namespaces/default/pods/p",
     "query": {"watch": "1"},          # optional: these query parameters must match
     "responses": [ RESPONSE, ... ]}   # consumed in order per route; the last one repeats
  ]
}
RESPONSE fields (all optional):
  "status": 200, "headers": {"Retry-After": "1"},
  "json": <value>             JSON body (Content-Length)
  "body": "<text>"            raw body
  "big": N                    a JSON body of about N bytes
  "chunked": true             send the body with chunked encoding (no Content-Length)
  "echo": true                body = the request as JSON (method, path, query, content_type, body)
  "delay_ms": N               wait before answering
  "drop": true                close the connection without answering
  "events": [ {"type": ..., "object": ...} | {"raw": "<line>"} | {"big_frame": N} ]
                              a chunked watch stream, one event per chunk
  "split": true               split every event line across two chunks
  "event_delay_ms": N         pause between events
  "end": "close" | "drop" | "hang"
                              after the events: terminate the stream normally (default),
                              cut the connection mid-stream, or keep it open silently until
                              the client goes away (at most 60 s)
Unmatched requests get a 404 Status.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def status_body(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-canned/1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def do_GET(self):
        self.serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # -- helpers --
    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def identity(self):
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            return "bearer:" + auth[7:]
        cert = self.connection.getpeercert()
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        return "cert:" + v
            return "cert:?"
        return "none"

    def authorized(self, ident):
        auth = self.server.scenario.get("auth")
        if not auth:
            return True
        if ident.startswith("bearer:") and ident[7:] in auth.get("tokens", []):
            return True
        if ident.startswith("cert:") and auth.get("client_certs"):
            return True
        return False

    def send_json(self, code, obj, headers=None, chunked=False):
        data = json.dumps(obj).encode()
        self.send_bytes(code, data, headers, chunked)

    def send_bytes(self, code, data, headers=None, chunked=False):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            step = 16384
            for i in range(0, len(data), step):
                self.chunk(data[i:i + step])
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        self.wfile.flush()

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def pick(self, method, path, query):
        for i, route in enumerate(self.server.scenario.get("routes", [])):
            if route.get("method", "GET") != method or route.get("path") != path:
                continue
            want = route.get("query", {})
            if any(query.get(k) != v for k, v in want.items()):
                continue
            with LOCK:
                n = self.server.hits.get(i, 0)
                self.server.hits[i] = n + 1
            resps = route.get("responses", [{}])
            return resps[min(n, len(resps) - 1)]
        return None

    # -- the request --
    def serve(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        body = self.read_body()
        ident = self.identity()
        try:
            body_val = json.loads(body) if body else None
        except ValueError:
            body_val = body.decode("utf-8", "replace")
        entry = {"method": self.command, "path": url.path, "query": query, "auth": ident,
                 "conn": getattr(self.connection, "conn_no", 0),
                 "content_type": self.headers.get("Content-Type"),
                 "accept": self.headers.get("Accept"),
                 "user_agent": self.headers.get("User-Agent"),
                 "t": time.time(), "body": body_val}
        self.server.log(entry)
        if not self.authorized(ident):
            self.send_json(401, status_body(401, "Unauthorized", "Unauthorized"))
            return
        resp = self.pick(self.command, url.path, query)
        if resp is None:
            self.send_json(404, status_body(404, "NotFound", "no route for %s %s" %
                                            (self.command, url.path)))
            return
        if resp.get("delay_ms"):
            time.sleep(resp["delay_ms"] / 1000.0)
        if resp.get("drop"):
            self.drop()
            return
        code = resp.get("status", 200)
        headers = resp.get("headers", {})
        if "events" in resp:
            self.stream(code, resp, headers)
            return
        if resp.get("echo"):
            self.send_json(code, {"method": self.command, "path": url.path, "query": query,
                                  "content_type": entry["content_type"], "body": body_val},
                           headers)
        elif "big" in resp:
            self.send_bytes(code, b'{"pad":"' + b"x" * resp["big"] + b'"}', headers,
                            resp.get("chunked", False))
        elif "body" in resp:
            self.send_bytes(code, resp["body"].encode(), headers, resp.get("chunked", False))
        else:
            self.send_json(code, resp.get("json", {}), headers, resp.get("chunked", False))

    def stream(self, code, resp, headers):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            self.send_header(k, str(v))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        try:
            for ev in resp["events"]:
                if "raw" in ev:
                    line = ev["raw"].encode() + b"\n"
                elif "big_frame" in ev:
                    line = b'{"type":"ADDED","object":{"pad":"' + b"x" * ev["big_frame"] + b'"}}\n'
                else:
                    line = json.dumps(ev).encode() + b"\n"
                if resp.get("split") and len(line) > 2:
                    half = len(line) // 2
                    self.chunk(line[:half])
                    time.sleep(0.01)
                    self.chunk(line[half:])
                else:
                    self.chunk(line)
                if resp.get("event_delay_ms"):
                    time.sleep(resp["event_delay_ms"] / 1000.0)
            end = resp.get("end", "close")
            if end == "drop":
                self.drop()
            elif end == "hang":
                self.connection.settimeout(60)
                try:
                    while self.connection.recv(1):  # returns b"" once the client closes
                        pass
                except (OSError, ValueError):
                    pass
                self.close_connection = True
            else:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, ctx, scenario, log_path):
        self.ctx = ctx
        self.scenario = scenario
        self.log_path = log_path
        self.hits = {}
        self.nconn = 0
        super().__init__(addr, Handler)

    def log(self, entry):
        with LOCK:
            with open(self.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def finish_request(self, request, client_address):
        # TLS handshake in the connection's thread, so a failing client cannot stall accept().
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.log({"event": "handshake_failed", "error": str(e)})
            return
        with LOCK:
            self.nconn += 1
            tls.conn_no = self.nconn
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-ca")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    # Exit with the test process that started us, even if it dies without cleaning up.
    parent = os.getppid()

    def watchdog():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)
    threading.Thread(target=watchdog, daemon=True).start()

    with open(args.scenario) as f:
        scenario = json.load(f)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.load_verify_locations(args.client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = Server(("127.0.0.1", args.port), ctx, scenario, args.log)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
