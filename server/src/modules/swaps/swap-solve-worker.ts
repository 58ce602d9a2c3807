import { parentPort } from 'node:worker_threads';
import { solveCycles, type SolveReply, type SwapSolveInput } from './swap-solve';

/**
 * The swap solver's thread (started by swap-solve-runner.ts): one solve per message, its
 * cycles or its error posted back. The runner sends the next only after the reply.
 */
const port = parentPort!;
const reply = (message: SolveReply) => port.postMessage(message);

/**
 * An error is the thread's last reply: it ends (process.exit in a worker ends only the
 * thread) and the runner starts a fresh one for the next solve. HiGHS is one WebAssembly
 * instance per thread, kept between solves; after a throw from inside it (a RuntimeError
 * from an abort, or its glue failing to read a result) its memory is not to be trusted,
 * and which errors came from where cannot be told reliably from outside. Errors are rare
 * (a bug, a bad input, a HiGHS abort) and a fresh thread costs about half a second of CPU,
 * so every error ends it.
 */
function fail(error: unknown): void {
  reply({ error });
  process.exit(1);
}

port.on('message', (input: SwapSolveInput) => {
  solveCycles(input).then((cycles) => reply({ cycles }), fail);
});
// An input that cannot be deserialised here never arrives as a 'message': without this
// reply its solve would wait forever.
port.on('messageerror', fail);
reply({ ready: true });
