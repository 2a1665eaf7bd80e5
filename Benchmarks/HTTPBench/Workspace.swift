import Foundation

/// A private temporary directory: the static files, nginx's config and logs, upload bodies.
struct Workspace {
    let directory: String
    var staticRoot: String { directory + "/www" }
    let smallFileSize = 1024

    init() throws {
        directory = NSTemporaryDirectory() + "httpbench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: staticRoot, withIntermediateDirectories: true)
        let html = "<!doctype html><title>bench</title>" + String(repeating: "x", count: smallFileSize - 35) + "\n"
        try Data(html.utf8.prefix(smallFileSize)).write(to: URL(fileURLWithPath: staticRoot + "/small.html"))
        for sub in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            try FileManager.default.createDirectory(atPath: directory + "/tmp/" + sub, withIntermediateDirectories: true)
        }
    }

    /// A config for a private nginx on `port`: foreground, no access log, keep-alive without a
    /// request cap (like ours), the static directory and a fixed 200-byte dynamic response.
    func nginxConfig(port: UInt16) throws -> String {
        let body = String(repeating: "0123456789", count: 20)
        let config = """
        daemon off;
        user root;
        worker_processes auto;
        pid \(directory)/nginx.pid;
        error_log \(directory)/nginx-error.log error;
        events { worker_connections 4096; }
        http {
            access_log off;
            sendfile on;
            tcp_nodelay on;
            keepalive_requests 1000000;
            keepalive_timeout 60s;
            client_body_temp_path \(directory)/tmp/client_body;
            proxy_temp_path \(directory)/tmp/proxy;
            fastcgi_temp_path \(directory)/tmp/fastcgi;
            uwsgi_temp_path \(directory)/tmp/uwsgi;
            scgi_temp_path \(directory)/tmp/scgi;
            types { text/html html; }
            server {
                listen 127.0.0.1:\(port);
                location /static/ { alias \(staticRoot)/; }
                location = /dynamic { default_type text/plain; return 200 "\(body)"; }
            }
        }

        """
        let path = directory + "/nginx.conf"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A multipart body of `files` random files and a wrk Lua script that POSTs it.
    func uploadScript(files: Int, fileSize: Int, name: String = "upload") throws -> (path: String, bodyBytes: Int) {
        let boundary = "----httpbench\(UUID().uuidString)"
        var body = Data()
        var generator = SystemRandomNumberGenerator()
        for index in 0..<files {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"images\"; filename=\"photo\(index).jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
            body += Data((0..<fileSize).map { _ in UInt8.random(in: 0...255, using: &generator) })
            body += Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        let bodyPath = directory + "/\(name).body"
        try body.write(to: URL(fileURLWithPath: bodyPath))
        let script = """
        local file = io.open("\(bodyPath)", "rb")
        wrk.body = file:read("*a")
        file:close()
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "multipart/form-data; boundary=\(boundary)"

        """
        let scriptPath = directory + "/\(name).lua"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        return (scriptPath, body.count)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
