// The store's pulls on the hardware step: the server renders their progress, this swaps it in.
(function () {
  const target = document.getElementById("pulls");
  if (!target) return;
  let delay = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/store/pulls/");
    socket.onopen = function () { delay = 1000; target.dataset.live = "on"; };
    socket.onmessage = function (event) { target.innerHTML = event.data; };
    socket.onclose = function () {
      target.dataset.live = "off";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
