/**
 * Page-side instruments for the browser bench, installed with
 * `page.addInitScript` before the app's own code runs. Plain JavaScript in a
 * string: it runs in the page, not in Node.
 *
 * - Every WebSocket message handler the app installs (`onmessage` or
 *   `addEventListener('message')`) is wrapped. For a `status` event (when no
 *   measurement is in flight) it records: the handler's own time; the time
 *   until the tasks the handler queued (a React render) have run and layout is
 *   clean (a MessageChannel hop, then a forced layout); and the next frame's
 *   rendering (from the frame's start to a task posted from its
 *   requestAnimationFrame, which runs after that frame is painted).
 * - Log bytes the page received: from `log` events, and from readLog results
 *   (the view reading back a gap the host's backpressure left).
 * - A requestAnimationFrame loop records [time, interval] of each frame while `frames.on`.
 * - A sampler reads the highest `flood NNNNNNN` number in the log region.
 * - First useful paint: once `firstUseful.setSize` is set (a second init
 *   script), the first frame whose Agents tree shows rows of a set that size
 *   (aria-setsize, the virtualised list's whole count) records the time after
 *   that frame is painted, in ms since navigation started (performance.now()).
 */
export const PROBE_SCRIPT = String.raw`(() => {
  const probe = {
    ticks: [],
    inFlight: false,
    logEvents: 0,
    logBytes: 0,
    readBytes: 0,
    frames: { on: false, deltas: [], last: 0 },
    flood: { samples: [] , timer: 0 },
    firstUseful: { setSize: 0, at: null, pending: false },
  };
  Object.defineProperty(window, '__corralProbe', { value: probe });

  const STATUS = '{"type":"event","event":"status"';
  const LOG = '{"type":"event","event":"log"';
  const RESULT = '{"type":"result"';

  // Decoded size of the base64 "data" field of a log event or readLog result, without parsing the frame.
  function base64Bytes(text) {
    const at = text.indexOf('"data":"');
    if (at < 0) return 0;
    const end = text.indexOf('"', at + 8);
    return end < 0 ? 0 : Math.floor(((end - at - 8) * 3) / 4);
  }

  function afterTask(fn) {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); fn(); };
    channel.port2.postMessage(0);
  }

  function measureStatus(t0, handlerEnd) {
    // Posted after the handler returned: tasks it queued run first.
    afterTask(() => {
      afterTask(() => {
        document.body.getBoundingClientRect();
        const settled = performance.now();
        requestAnimationFrame((frameStart) => {
          afterTask(() => {
            const painted = performance.now();
            const frameBegin = Math.max(frameStart, settled);
            probe.ticks.push({
              handlerMs: handlerEnd - t0,
              beforeFrameMs: settled - t0,
              frameMs: painted - frameBegin,
              applyMs: (settled - t0) + (painted - frameBegin),
              wallMs: painted - t0,
            });
            probe.inFlight = false;
          });
        });
      });
    });
  }

  function wrap(handler) {
    if (typeof handler !== 'function') return handler;
    if (handler.__corralWrapped) return handler.__corralWrapped;
    const wrapped = function (event) {
      const data = event && typeof event.data === 'string' ? event.data : '';
      if (data.startsWith(LOG)) {
        probe.logEvents++;
        probe.logBytes += base64Bytes(data);
      } else if (data.startsWith(RESULT) && data.includes('"stream":"')) {
        probe.readBytes += base64Bytes(data);
      }
      if (!probe.inFlight && data.startsWith(STATUS)) {
        probe.inFlight = true;
        const t0 = performance.now();
        try {
          return handler.apply(this, arguments);
        } finally {
          measureStatus(t0, performance.now());
        }
      }
      return handler.apply(this, arguments);
    };
    handler.__corralWrapped = wrapped;
    return wrapped;
  }

  const proto = WebSocket.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  proto.addEventListener = function (type, listener, options) {
    return add.call(this, type, type === 'message' ? wrap(listener) : listener, options);
  };
  proto.removeEventListener = function (type, listener, options) {
    const actual = type === 'message' && listener && listener.__corralWrapped ? listener.__corralWrapped : listener;
    return remove.call(this, type, actual, options);
  };
  const onmessage = Object.getOwnPropertyDescriptor(proto, 'onmessage');
  Object.defineProperty(proto, 'onmessage', {
    configurable: true,
    enumerable: onmessage.enumerable,
    get() { return onmessage.get.call(this); },
    set(handler) { onmessage.set.call(this, wrap(handler)); },
  });

  function checkFirstUseful() {
    const first = probe.firstUseful;
    if (first.setSize <= 0 || first.at !== null || first.pending) return;
    const selector = '[role="tree"][aria-label="Agents"] [role="treeitem"][aria-setsize="' + first.setSize + '"]';
    if (document.querySelector(selector) === null) return;
    // In a requestAnimationFrame callback: these rows are painted in this frame; a task posted now runs after it.
    first.pending = true;
    afterTask(() => { first.at = performance.now(); });
  }

  function frameLoop(now) {
    checkFirstUseful();
    if (probe.frames.on) {
      if (probe.frames.last > 0) probe.frames.deltas.push([now, now - probe.frames.last]);
      probe.frames.last = now;
    } else {
      probe.frames.last = 0;
    }
    requestAnimationFrame(frameLoop);
  }
  requestAnimationFrame(frameLoop);

  // The highest line number the log region shows, every 50 ms.
  probe.startFloodSampler = () => {
    const re = /flood (\d{7})/g;
    probe.flood.timer = setInterval(() => {
      const region = document.querySelector('[role="log"]');
      if (!region) return;
      const text = region.textContent || '';
      let top = 0;
      for (const m of text.matchAll(re)) top = Math.max(top, Number(m[1]));
      probe.flood.samples.push([performance.now(), top]);
    }, 50);
  };
  probe.stopFloodSampler = () => clearInterval(probe.flood.timer);
})();`;

/** One measured status tick (all ms). */
export interface TickSample {
  handlerMs: number;
  beforeFrameMs: number;
  frameMs: number;
  applyMs: number;
  wallMs: number;
}
