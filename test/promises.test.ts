// The generic suite for this repository's own promises/, as a platform repository runs it: each
// Promise there is covered (compiles, example valid, stack synthesizes, bundle starts clean,
// terraform validate), whichever Promises the folder holds. The library's own tests use
// test/fixtures and never depend on promises/.
import { testPromises } from 'kratix-cdktf/vitest';

testPromises();
