/// The page Chromium loads: it opens two WebSockets (echo and chat), sends, and writes what it
/// receives into the DOM for the Selenium test to read.
enum TestPage {
    static let html = """
    <!doctype html>
    <html><head><meta charset="utf-8"><title>WebSocket test</title>
    <style>body{font:14px sans-serif;margin:2em} li{margin:2px 0} .ok{color:green}</style></head>
    <body>
    <h1>WebSocket test page</h1>
    <p>echo: <span id="echo-status">connecting</span>, extensions: <code id="echo-extensions"></code>,
       protocol: <code id="echo-protocol"></code></p>
    <p>big echo: <span id="big-echo">pending</span></p>
    <p>binary echo: <span id="binary-echo">pending</span></p>
    <p>oversize: <span id="oversize">pending</span></p>
    <p>chat: <span id="chat-status">connecting</span></p>
    <ul id="chat-log"></ul>
    <script>
    const base = "ws://" + location.host;
    function log(text) {
      const li = document.createElement("li");
      li.textContent = text;
      document.getElementById("chat-log").appendChild(li);
    }
    const echo = new WebSocket(base + "/ws/echo", ["test.v1"]);
    echo.binaryType = "arraybuffer";
    const big = "€uro ".repeat(9000);  // 63 000 bytes, under the test server's 64 KiB limit
    let echoes = 0;
    echo.onopen = () => {
      document.getElementById("echo-status").textContent = "open";
      document.getElementById("echo-extensions").textContent = echo.extensions;
      document.getElementById("echo-protocol").textContent = echo.protocol;
      echo.send("hello from chromium");
      echo.send(big);
      echo.send(new Uint8Array([0, 1, 2, 253, 254, 255]));
    };
    echo.onmessage = (event) => {
      echoes += 1;
      if (event.data instanceof ArrayBuffer) {
        document.getElementById("binary-echo").textContent = Array.from(new Uint8Array(event.data)).join(",");
      } else if (event.data === big) {
        document.getElementById("big-echo").textContent = "ok " + event.data.length;
      } else {
        document.getElementById("echo-status").textContent = "echoed: " + event.data;
      }
    };
    echo.onclose = (event) => { document.getElementById("echo-status").textContent += " closed " + event.code; };
    // A message over the limit: the server must close with 1009 and the browser must see that code.
    const oversize = new WebSocket(base + "/ws/echo");
    oversize.onopen = () => oversize.send("x".repeat(70000) + Math.random());
    oversize.onclose = (event) => {
      document.getElementById("oversize").textContent = "closed " + event.code + " " + event.reason;
    };
    const chat = new WebSocket(base + "/ws/chat");
    chat.onopen = () => {
      document.getElementById("chat-status").textContent = "open";
      chat.send("chromium says hi");
    };
    chat.onmessage = (event) => log(event.data);
    chat.onclose = (event) => { document.getElementById("chat-status").textContent = "closed " + event.code; };
    </script>
    </body></html>
    """
}
