import { z } from 'zod';

// The Content-Security-Policy allows no eval (web/svelte.config.js). zod would probe for it
// with `new Function('')` on its first parse; the probe fails quietly, but the browser reports
// it as a violation. Without eval zod parses without its compiled fast path either way.
z.config({ jitless: true });
