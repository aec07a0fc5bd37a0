// Signs an idle page out: after `timeoutSeconds` without a key press, click or touch,
// `onTimeout` runs; a warning with a button to stay shows first (for the last minute, or the
// last half of a shorter timeout). Times come from the clock, not from counting timer ticks,
// which browsers slow down in background tabs.
export function watchIdle({ timeoutSeconds, onTimeout }) {
  const warning = document.getElementById('idle-warning');
  const secondsLeft = document.getElementById('idle-seconds');
  const stay = document.getElementById('stay');
  const warnSeconds = Math.min(60, Math.floor(timeoutSeconds / 2));
  let lastActivity = Date.now();
  let warned = false;
  const activity = () => {
    if (!warned) lastActivity = Date.now();  // once warned, only the button keeps the session
  };
  for (const type of ['keydown', 'pointerdown', 'input', 'wheel', 'touchstart']) {
    document.addEventListener(type, activity, { capture: true, passive: true });
  }
  stay.addEventListener('click', () => {
    warned = false;
    lastActivity = Date.now();
    warning.hidden = true;
  });
  const timer = setInterval(() => {
    const left = Math.ceil(timeoutSeconds - (Date.now() - lastActivity) / 1000);
    if (left <= 0) {
      clearInterval(timer);
      warning.hidden = true;
      onTimeout();
    } else if (left <= warnSeconds) {
      secondsLeft.textContent = String(left);
      if (!warned) {
        warned = true;
        warning.hidden = false;
        stay.focus();
      }
    }
  }, 250);
}
