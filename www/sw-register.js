// Offline use: registers the service worker (sw.js) and talks about it, as squoosh's
// sw-bridge does (src/client/lazy-app/sw-bridge/index.ts):
// - on the first visit, once the worker has precached the page and taken it, a small notice says
//   "Ready to work offline" (once: later visits are already controlled and say nothing);
// - on a later visit a new version installs in the background and waits. The page offers
//   "A new version is available — Reload" only while no analysis runs (the #progress section is
//   hidden), hides the offer while one runs, and activates the new worker only when asked.
//
// Independent of app.js: it only reads whether #progress is visible. Not part of the single-file
// build (tools/single-file.mjs), which has no service worker (file:// cannot have one).

const sw = navigator.serviceWorker;

if (sw && window.isSecureContext && location.protocol !== 'file:') {
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true }); // after the page's own loads
}

async function register() {
  const hadController = !!sw.controller;
  let reg;
  try {
    reg = await sw.register('sw.js');
  } catch {
    return; // no offline use (private mode, blocked by policy, …): the page works as before
  }
  let asked = false; // this page asked the waiting worker to take over
  sw.addEventListener('controllerchange', () => {
    if (!hadController) {
      document.documentElement.dataset.offline = 'ready';
      notice('Ready to work offline.', { timeout: 6000 });
    } else if (!asked) {
      // Another logdrop tab activated a new version: this page still runs the old code.
      offerUpdate(null);
    }
  });
  if (!hadController) return; // first visit: nothing to update yet
  document.documentElement.dataset.offline = 'ready';
  if (reg.waiting) offerUpdate(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const next = reg.installing;
    next?.addEventListener('statechange', () => {
      if (next.state === 'installed' && sw.controller) offerUpdate(next);
    });
  });

  function offerUpdate(waiting) {
    notice('A new version of logdrop is available.', {
      action: 'Reload',
      onAction() {
        if (busy()) return;
        if (!waiting || waiting.state === 'activated' || waiting.state === 'redundant') {
          location.reload();
          return;
        }
        asked = true;
        waiting.addEventListener('statechange', () => {
          if (waiting.state === 'activated') location.reload();
        });
        waiting.postMessage({ type: 'skip-waiting' });
      },
      whenIdle: true,
    });
  }
}

/** True while an analysis runs (app.js shows #progress for exactly that time). */
function busy() {
  const progress = document.getElementById('progress');
  return !!progress && !progress.hidden;
}

let current = null;

/**
 * Shows a small status notice at the bottom of the window (one at a time). `whenIdle`: kept
 * hidden while an analysis runs.
 */
function notice(text, { action = null, onAction = null, timeout = 0, whenIdle = false } = {}) {
  current?.remove();
  const box = document.createElement('div');
  box.className = 'sw-notice';
  box.id = 'sw-notice';
  box.setAttribute('role', 'status');
  const p = document.createElement('span');
  p.textContent = text;
  box.append(p);
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn small primary';
    b.id = 'sw-notice-action';
    b.textContent = action;
    b.addEventListener('click', () => onAction?.());
    box.append(b);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn small ghost';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => box.remove());
  box.append(close);
  document.body.append(box);
  current = box;
  if (timeout) setTimeout(() => box.remove(), timeout);
  if (whenIdle) {
    const progress = document.getElementById('progress');
    box.hidden = busy();
    if (progress) {
      const watch = new MutationObserver(() => {
        if (!box.isConnected) watch.disconnect();
        else box.hidden = busy();
      });
      watch.observe(progress, { attributes: true, attributeFilter: ['hidden'] });
    }
  }
}
