/**
 * A replay target over HTTP: the replay driver (serve/replay.ts) talking to a
 * service through its API, as a cluster would. Requests that fail to connect
 * (a service being restarted) are retried, so a replay goes on across
 * restarts: every request is idempotent (a job submitted twice is the same
 * job; an ended job's end again returns its charge; the clock moved to a time
 * it already reached changes nothing).
 */
import type { ReplayTarget } from "./replay.js";

export interface HttpTargetOptions {
  readonly url: string | (() => string);
  readonly token: string;
  /** Retry a request that could not be sent for this long, ms (default 30 s). */
  readonly retryMs?: number;
  /** Called when a request had to be retried. */
  readonly onRetry?: (err: unknown) => void;
}

/** A request to the service: JSON in and out, retried while it cannot be sent or the service is closing (503). @throws Error with the status and body of a 4xx or 5xx answer */
export type ServiceRequest = (method: string, path: string, body?: unknown) => Promise<unknown>;

export function serviceClient(o: HttpTargetOptions): ServiceRequest {
  const base = () => (typeof o.url === "string" ? o.url : o.url());
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const deadline = Date.now() + (o.retryMs ?? 30_000);
    for (;;) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(base() + path, { method, headers: { authorization: `Bearer ${o.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
        // Inside the retry: a service killed while it sends the answer breaks the body, not the request.
        text = await res.text();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        o.onRetry?.(err);
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (res.status === 503 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    }
  };
}

export function httpTarget(o: HttpTargetOptions): ReplayTarget & { request: ServiceRequest } {
  let seen = 0;
  const request = serviceClient(o);
  return {
    request,
    submit: async (job, t) => void (await request("POST", "/v1/jobs", { ...job, t })),
    end: async (id, t, killed) => void (await request("POST", `/v1/jobs/${id}/end`, { t, killed })),
    tick: async (t) => {
      const c = (await request("POST", "/v1/clock", { t })) as { next_t: number | null; queued: number };
      const starts: { jobId: number; t: number; site: string; nodeType: string }[] = [];
      for (;;) {
        const d = (await request("GET", `/v1/decisions?after=${seen}&limit=10000`)) as { decisions: { seq: number; jobId: number; kind: string; t: number; site?: string; nodeType?: string }[] };
        for (const x of d.decisions) {
          seen = x.seq;
          if (x.kind === "start") starts.push({ jobId: x.jobId, t: x.t, site: x.site!, nodeType: x.nodeType! });
        }
        if (d.decisions.length < 10000) break;
      }
      return { starts, next: c.next_t ?? Infinity, queued: c.queued };
    },
  };
}
