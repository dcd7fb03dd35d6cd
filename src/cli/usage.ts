/** The help text of every command (the DESIGN.md CLI contract, extended, never broken). */

export const MAIN_HELP = `trainio — profiles the data I/O of ML training jobs

Usage:
  trainio record --out SESSION [--pid PID | -- CMD ARGS...] [options]
  trainio report SESSION [SESSION2] --format html|md|csv|json|trace --out FILE
  trainio report --merge SESSION... --format html|md|json --out FILE
  trainio demo   [--out-dir DIR]

Commands:
  record   record a session of a running process (--pid) or of a command it launches
  report   write a report of a session file (or compare two sessions: html, md)
  demo     profile the bundled sample training job end to end

Options:
  --help, -h     show help (also: trainio COMMAND --help)
  --version, -v  show the version

Set TRAINIO_DEBUG=1 to see the details of unexpected errors.`;

export const RECORD_HELP = `Usage:
  trainio record --out SESSION --pid PID [options]
  trainio record --out SESSION [options] -- CMD ARGS...

Records the data I/O of a training job into SESSION (JSON lines), live.
Attach mode (--pid) needs no code change; launch mode (-- CMD) also injects a Python hook that
times the DataLoader and torch.save exactly (disable with --no-hook).

Options:
  --out FILE          session file to write (required)
  --pid PID           attach to this running process and its children
  --dataset DIR       dataset directory (repeatable): size, files, re-reads, page cache
  --checkpoints DIR   checkpoint directory (repeatable): saves, sizes, durations
                      (either may not exist yet: trainio waits for it to appear)
  --interval MS       process-tree sampling interval (default 250)
  --duration S        stop recording after S seconds (a launched job keeps running)
  --no-hook           launch without the Python hook (estimated data stall only)
  --hook-out FILE     also read the hook stream of a job launched elsewhere
  --fallback-out FILE when the session file stops (disk full, I/O error) for --fallback-after
                      seconds, move the session to FILE: all recorded so far, then the rest
                      (the old file is left as it was); kill -USR2 <trainio's PID> moves it now
  --fallback-after S  seconds a stopped session file waits before the move (default 10)
  --metrics [HOST:]PORT
                      serve Prometheus metrics at http://HOST:PORT/metrics while recording
                      (a port alone listens on 127.0.0.1 only; 0.0.0.0:PORT for the network)
  --metrics-textfile FILE
                      write the same metrics to FILE every 5 s, atomically, for node_exporter's
                      textfile collector (name it *.prom in the collector's folder)
  --help, -h          show this help

Ctrl-C stops recording cleanly: everything recorded so far is kept (exit code 130).`;

export const REPORT_HELP = `Usage:
  trainio report SESSION [SESSION2] --format html|md|csv|json|trace --out FILE [--strict]
  trainio report --merge SESSION... --format html|md|json --out FILE

Writes a report of SESSION. With two sessions (html, md) the report compares them.
With --merge, the session files of one job (a node or a rank each) become one job report: the
job's data stall (its slowest rank's), a row per rank, the straggler and the spread (html, md, json).

Options:
  --format F   html (self-contained page), md, csv (three tables), json (the SessionReport),
               trace (Chrome trace / Perfetto)
  --out FILE   file to write
  --merge      merge the sessions of one job (multi-node / multi-rank) into one report
  --strict     refuse a session with a damaged line (by default damaged lines are skipped and
               noted with their line numbers; only a file whose header cannot be read is refused)
  --help, -h   show this help`;

export const DEMO_HELP = `Usage:
  trainio demo [--out-dir DIR]

Generates a small dataset, runs the bundled sample training job (PyTorch when /usr/bin/python3
has torch, else a standard-library job) under "trainio record" with the hook, and writes
session.trainio.jsonl, report.json, report.html and report.md into DIR (default ./trainio-demo).

Options:
  --out-dir DIR  where to write (default ./trainio-demo)
  --python PATH  the Python to run the job with (default: /usr/bin/python3 when it has torch)
  --help, -h     show this help`;
