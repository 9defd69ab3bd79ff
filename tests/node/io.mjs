// What every Node tool of the test suite does the same way: read its input
// from stdin and turn main()'s result into the exit status.

/** All of stdin as text. */
export async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** stdin parsed as JSON; on bad JSON, says so on stderr under the script's
 * name and returns undefined (which no JSON text parses to). */
export async function readStdinJson(name) {
  const text = await readStdin();
  try {
    return JSON.parse(text);
  } catch (error) {
    process.stderr.write(`${name}: stdin is not JSON: ${error.message}\n`);
    return undefined;
  }
}

/** Run a script's async main(): its return value is the exit code; a crash
 * prints the stack under the script's name and exits with 1. */
export async function runMain(name, main) {
  try {
    process.exitCode = await main();
  } catch (error) {
    process.stderr.write(`${name}: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  }
}
