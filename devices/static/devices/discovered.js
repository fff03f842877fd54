// Live list of devices found on the network (devices/consumers.py). Every value came from
// a device: it is inserted as text, never as HTML.
(function () {
  "use strict";
  const FIELDS = ["name", "kind", "maker", "model", "address", "service_type", "source", "state"];

  function start() {
    const section = document.getElementById("discovered-live");
    if (!section) return;
    const rows = section.querySelector("[data-rows]");
    const status = section.querySelector("[data-status]");
    let delay = 1000;

    function connect() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      const socket = new WebSocket(scheme + location.host + section.dataset.socket);
      socket.onopen = function () {
        status.textContent = "(live)";
        delay = 1000;
      };
      socket.onmessage = function (message) {
        const event = JSON.parse(message.data);
        if (event.type !== "discovery.seen") return;
        let row = rows.querySelector('tr[data-id="' + Number(event.id) + '"]');
        if (!row) {
          row = document.createElement("tr");
          row.dataset.id = String(Number(event.id));
          FIELDS.forEach(function () { row.appendChild(document.createElement("td")); });
        }
        FIELDS.forEach(function (field, i) { row.children[i].textContent = String(event[field] ?? ""); });
        row.dataset.change = event.change;
        rows.prepend(row);
      };
      socket.onclose = function () {
        status.textContent = "(reconnecting…)";
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
