// Hostile candidate: an endless loop at module top level, before any export
let spin = true;
while (spin) {
  /* never finishes loading */
  spin = Date.now() > 0;
}
export default () => () => 0;
