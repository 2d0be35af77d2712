// The engine's Web Worker (see src/ui/link.rs): loads the engine's wasm
// (src/engine_worker.rs, built by Trunk as a worker) and answers each message
// from the page with what `call` returns. Messages that come while the wasm is
// still loading wait, in order.
importScripts('pocket-cluster-engine.js');
const waiting = [];
let up = false;
const answer = (text) => self.postMessage(wasm_bindgen.call(text));
self.onmessage = (e) => {
  if (up) answer(e.data);
  else waiting.push(e.data);
};
wasm_bindgen({ module_or_path: 'pocket-cluster-engine_bg.wasm' }).then(() => {
  up = true;
  for (const text of waiting.splice(0)) answer(text);
});
