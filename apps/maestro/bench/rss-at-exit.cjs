// Preloaded into the CLI by the benchmark: reports the process's peak resident set size on exit.
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nmaestro-bench maxrss-kib ${process.resourceUsage().maxRSS}\n`);
});
