"""The original design's stack, for scripts/bench-http: Flask's development server serving the
same routes as HTTPTestServer (a static file, a 200-byte dynamic response, multipart upload)."""
import argparse
import zlib

from flask import Flask, jsonify, request, send_from_directory

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--root", required=True)
args = parser.parse_args()

app = Flask(__name__)
DYNAMIC = "0123456789" * 20


@app.get("/dynamic")
def dynamic():
    return DYNAMIC, 200, {"Content-Type": "text/plain"}


@app.get("/static/<path:name>")
def static_file(name):
    return send_from_directory(args.root, name)


@app.post("/upload")
def upload():
    parts = []
    for name, storage in request.files.items(multi=True):
        data = storage.read()
        parts.append({"name": name, "filename": storage.filename, "size": len(data), "crc32": zlib.crc32(data)})
    return jsonify(parts)


if __name__ == "__main__":
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.run(host="127.0.0.1", port=args.port, threaded=True)
