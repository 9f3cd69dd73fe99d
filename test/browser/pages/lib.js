import * as lib from '/carelayer/carelayer.mjs';
window.lib = lib;
window.libReady = true;
