// Several mosaic-server processes on one fresh PostgreSQL database, behind Debian's HAProxy
// (round-robin, no sticky sessions), for the browser test of running Mosaic on more than one
// machine. Nothing here skips: without PostgreSQL, `psql` or `haproxy` the test fails and says
// what is missing (`scripts/setup.sh --tests` installs HAProxy and the PostgreSQL client).
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Cluster = {
  /** The balancer's address: the only one browsers are given. */
  url: string;
  /** Each server process's own address, in the balancer's order (`s1`, `s2`, …). */
  servers: string[];
  /** Kills server `i` (0-based) with SIGKILL: no graceful shutdown, as a crash or OOM kill. */
  kill: (i: number) => Promise<void>;
  /** Per server, by name: the sessions the balancer sent it so far (`total`, HAProxy's
   *  `stot`) and those open now (`open`, `scur`: mostly event streams). */
  sessions: () => Promise<Record<string, { total: number; open: number }>>;
  stop: () => Promise<void>;
};

/** The PostgreSQL server the tests use (the README's default, or MOSAIC_TEST_POSTGRES_URL). */
const postgresUrl = process.env.MOSAIC_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function need(command: string, why: string) {
  const found = spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
  if (!found) throw new Error(`${command} is not installed: ${why} (scripts/setup.sh --tests installs it)`);
}

function psql(url: string, sql: string) {
  const run = spawnSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], { encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(`PostgreSQL at ${url} refused \`${sql}\`: ${run.stderr || run.error}`);
  }
}

/** `url` with its database replaced by `db`. */
function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

type Proc = { child: ChildProcess; exited: Promise<unknown>; output: () => string };

function run(bin: string, args: string[]): Proc {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise((r) => child.once("exit", r));
  return { child, exited, output: () => output };
}

async function waitFor<T>(what: string, proc: Proc, check: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    if (proc.child.exitCode !== null) throw new Error(`${what} exited with ${proc.child.exitCode}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start:\n${proc.output()}`);
}

/** Starts `count` servers on a new database and HAProxy in front of them. */
export async function startCluster(count: number): Promise<Cluster> {
  const bin = process.env.MOSAIC_SERVER_BIN;
  const dist = process.env.MOSAIC_DIST;
  if (!bin || !dist) throw new Error("MOSAIC_SERVER_BIN and MOSAIC_DIST must be set (scripts/test.sh sets them)");
  need("haproxy", "the balancer in front of the server processes");
  need("psql", "to create the test's own PostgreSQL database");
  const db = `mosaic_e2e_${process.pid}_${Date.now()}`;
  psql(postgresUrl, `CREATE DATABASE ${db}`);
  const database = withDatabase(postgresUrl, db);
  const dir = mkdtempSync(join(tmpdir(), "mosaic-cluster-"));
  const lbPort = await freePort();
  const statsPort = await freePort();
  const url = `http://127.0.0.1:${lbPort}`;

  // One at a time: the first migrates the empty database, the others find it current.
  const procs: Proc[] = [];
  const servers: string[] = [];
  for (let i = 0; i < count; i++) {
    const proc = run(bin, [
      "--listen", "127.0.0.1:0",
      "--database", database,
      "--dist", dist,
      "--public-url", url,
    ]);
    const addr = await waitFor(`mosaic-server s${i + 1}`, proc, () =>
      proc.output().match(/Mosaic is running at http:\/\/([\d.:]+)\//)?.[1],
    );
    procs.push(proc);
    servers.push(addr);
  }

  // Round-robin per request, no stickiness; streams may stay open for an hour; a server is
  // taken out within a second of failing its health check, and a request that cannot connect
  // goes to another server.
  const config = `
global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 1h
  timeout server 1h
  timeout http-request 10s
  timeout http-keep-alive 10s
  option redispatch
  retries 3
  retry-on conn-failure
frontend mosaic
  bind 127.0.0.1:${lbPort}
  default_backend mosaic
backend mosaic
  balance roundrobin
  option httpchk GET /healthz
  default-server inter 300ms fall 1 rise 2
${servers.map((s, i) => `  server s${i + 1} ${s} check`).join("\n")}
frontend stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
`;
  const configFile = join(dir, "haproxy.cfg");
  writeFileSync(configFile, config);
  const lb = run("haproxy", ["-db", "-f", configFile]);
  await waitFor("haproxy", lb, async () => {
    try {
      return (await fetch(`${url}/healthz`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  });

  const sessions = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
    const lines = csv.trim().split("\n");
    const header = lines[0].replace(/^# /, "").split(",");
    const [px, sv, stot, scur] = ["pxname", "svname", "stot", "scur"].map((k) => header.indexOf(k));
    const counts: Record<string, { total: number; open: number }> = {};
    for (const line of lines.slice(1)) {
      const cols = line.split(",");
      if (cols[px] === "mosaic" && /^s\d+$/.test(cols[sv])) {
        counts[cols[sv]] = { total: Number(cols[stot]), open: Number(cols[scur]) };
      }
    }
    return counts;
  };

  const stopped = new Set<number>();
  return {
    url,
    servers,
    sessions,
    kill: async (i: number) => {
      procs[i].child.kill("SIGKILL");
      await procs[i].exited;
      stopped.add(i);
    },
    stop: async () => {
      lb.child.kill("SIGTERM");
      await lb.exited;
      for (const [i, proc] of procs.entries()) {
        if (stopped.has(i)) continue;
        proc.child.kill("SIGTERM");
        await proc.exited;
      }
      psql(postgresUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
