/*
 * New arrivals in the queue: the page title counts the waiting conversations ("(2) Support
 * console", set by console.js), new ones are marked "New" in the queue, and a short chime plays
 * unless the agent switched the sound off (remembered in this browser: localStorage
 * "console.sound" = "off"). The chime is made with Web Audio: no sound file to fetch.
 */
(function () {
  "use strict";

  var KEY = "console.sound";
  var button = document.getElementById("sound-toggle");
  var audio = null;

  function soundOn() {
    try { return window.localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
  }

  function render() {
    var on = soundOn();
    button.textContent = on ? "Sound on" : "Sound off";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.title = on ? "A chime plays when a client starts waiting. Click to switch it off."
      : "No chime for new arrivals. Click to switch it on.";
  }

  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      var start = audio.currentTime;
      [880, 1320].forEach(function (frequency, i) {
        var tone = audio.createOscillator();
        var gain = audio.createGain();
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + i * 0.16);
        gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.16 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.16 + 0.15);
        tone.connect(gain).connect(audio.destination);
        tone.start(start + i * 0.16);
        tone.stop(start + i * 0.16 + 0.16);
      });
    } catch (e) { /* no sound, no harm */ }
  }

  button.addEventListener("click", function () {
    try { window.localStorage.setItem(KEY, soundOn() ? "off" : "on"); } catch (e) { /* private mode */ }
    render();
  });

  document.addEventListener("console:queue", function (e) {
    var arrived = (e.detail && e.detail.arrived) || [];
    if (!arrived.length) return;
    // Counted for whoever checks (the browser tests): chimes played, arrivals seen.
    document.body.dataset.arrivals = String(Number(document.body.dataset.arrivals || 0) + arrived.length);
    if (soundOn()) {
      chime();
      document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    }
  });

  render();
})();
