// The engine's Web Worker (see src/ui/link.rs): loads the engine's wasm
// (src/engine_worker.rs, built by Trunk as a worker) and answers each message
// from the page with what `call` returns. Messages that come while the wasm is
// still loading wait, in order.
//
// The wasm's download starts first, before the glue is loaded (importScripts
// blocks until it has run), so the two overlap.
const wasm = fetch('pocket-cluster-engine_bg.wasm');
const waiting = [];
let up = false;
self.onmessage = (e) => {
  if (up) self.postMessage(wasm_bindgen.call(e.data));
  else waiting.push(e.data);
};
importScripts('pocket-cluster-engine.js');
wasm_bindgen({ module_or_path: wasm }).then(() => {
  up = true;
  for (const text of waiting.splice(0)) self.postMessage(wasm_bindgen.call(text));
});
