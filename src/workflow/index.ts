// The workflow container's entry points, imported by the script `npm run build` bundles for each
// Promise (see src/cli/bundle.ts). Not for Promise authors.
export { runContainer } from './main.js';
export { warmUp } from './warm-up.js';
