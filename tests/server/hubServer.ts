import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * A loopback fake of the Hugging Face Hub for unit and browser tests, written
 * from the documented shapes of the endpoints that @huggingface/hub and the
 * Hub's Parquet listing use:
 *
 *   GET  /api/whoami-v2                                   who a token belongs to
 *   GET  /api/datasets/{id}[/revision/{rev}]              a dataset's info (private, gated)
 *   GET  /api/datasets/{id}/parquet[/{config}[/{split}]]  the Parquet files of each config and split
 *   GET  /api/datasets/{id}/parquet/{config}/{split}/{n}.parquet   302 to the file under refs/convert/parquet
 *   GET|HEAD /datasets/{id}/resolve/{rev}/{path}          a file, with Range (206 + Content-Range)
 *   OpenID Connect for "Sign in with Hugging Face": /.well-known/openid-configuration,
 *   /oauth/authorize (redirects straight back, as after the person agreed), /oauth/token, /oauth/userinfo
 *   Push to Hub, as createRepo and commit of @huggingface/hub call them (pushRoutes):
 *   POST /api/repos/create, POST /api/datasets/{id}/preupload/{rev}, the LFS batch
 *   POST /datasets/{id}.git/info/lfs/objects/batch and the upload URL it gives,
 *   POST /api/datasets/{id}/commit/{rev} (NDJSON), each committed file put in `repos`
 *
 * Errors are the Hub's: a token it does not know is refused everywhere (401);
 * a private or missing dataset is a 401 without a token and a 404 with one
 * (X-Error-Code: RepoNotFound); a gated one the token's account has not been
 * granted is a 401 without a token and a 403 with one (X-Error-Code: GatedRepo).
 * The browser's page is on another port, so every answer carries CORS headers.
 *
 * Every request is logged with its Range header, so a test can tell which
 * bytes were read. A test adds endpoints of its own with `route`.
 */

export interface HubAccount {
  name: string;
  role: 'read' | 'write';
}

/** A dataset repository: its files on main, and its Parquet conversion (config -> split -> shards). */
export interface HubRepo {
  id: string;
  private?: boolean;
  gated?: false | 'auto' | 'manual';
  /** Accounts that may read it when private, or have been granted access when gated. */
  readers?: string[];
  /** Files of the main branch, by path. */
  files: Map<string, Uint8Array>;
  /** The refs/convert/parquet branch, as the Hub's Parquet listing shows it. */
  parquet: Record<string, Record<string, Uint8Array[]>>;
}

export interface LoggedRequest {
  method: string;
  /** The path as requested, percent-escapes kept. */
  path: string;
  range?: string;
  /** The account the request's token belongs to, if it sent one the fake knows. */
  account?: string;
  /** Whether it sent an Authorization header at all. */
  authorized: boolean;
}

/** The parts of a request a route needs. */
export interface HubRequest {
  method: string;
  url: URL;
  match: RegExpMatchArray;
  headers: IncomingMessage['headers'];
  /** The account of the request's token; undefined without a token. */
  account?: HubAccount;
  body(): Promise<Buffer>;
}

export type HubRoute = {
  method: string | string[];
  path: RegExp;
  handle(request: HubRequest, response: ServerResponse): void | Promise<void>;
};

export interface HubServer {
  /** The Hub address to give the app, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  repos: Map<string, HubRepo>;
  /** token -> account */
  tokens: Map<string, HubAccount>;
  requests: LoggedRequest[];
  /** Adds a route, tried before the built-in ones. */
  route(route: HubRoute): void;
  close(): Promise<void>;
}

/** Tokens the default fixtures know. */
export const HUB_TOKENS = {
  /** Reads the private dataset and has been granted the gated one. */
  alice: 'hf_alice_read_0123456789',
  /** A real account that never accepted the gated dataset's conditions. */
  bob: 'hf_bob_read_0123456789',
  /** alice's write token: makes and writes repositories under alice/. */
  aliceWrite: 'hf_alice_write_0123456789',
  unknown: 'hf_not_a_token_anyone_has',
} as const;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  // X-Request-Id: @huggingface/hub sends the LFS batch's back with each upload.
  'Access-Control-Allow-Headers':
    'Authorization, Range, Content-Type, X-Requested-With, X-Request-Id',
  'Access-Control-Expose-Headers':
    'Content-Length, Content-Range, Accept-Ranges, ETag, Link, X-Error-Code, X-Error-Message, X-Request-Id, X-Repo-Commit',
  'Access-Control-Max-Age': '600',
  // The app's page is cross-origin isolated (COEP require-corp).
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** Starts the fake on a free loopback port with the default fixtures (fixtureRepos). */
export async function startHubServer(repos: HubRepo[] = fixtureRepos()): Promise<HubServer> {
  const routes: HubRoute[] = [];
  const hub = {
    url: '',
    repos: new Map(repos.map((repo) => [repo.id, repo])),
    tokens: new Map<string, HubAccount>([
      [HUB_TOKENS.alice, { name: 'alice', role: 'read' }],
      [HUB_TOKENS.bob, { name: 'bob', role: 'read' }],
      [HUB_TOKENS.aliceWrite, { name: 'alice', role: 'write' }],
    ]),
    requests: [] as LoggedRequest[],
    route: (route: HubRoute) => routes.push(route),
  };
  const builtIn = builtInRoutes(hub);
  const server = createServer((request, response) => {
    serve(hub, [...routes, ...builtIn], request, response).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { error: String(error) });
      else response.destroy();
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...hub,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

type Hub = Omit<HubServer, 'close'>;

async function serve(
  hub: Hub,
  routes: HubRoute[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', hub.url);
  for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
  response.setHeader('X-Request-Id', randomUUID());
  if (method === 'OPTIONS') {
    response.writeHead(204).end();
    return;
  }
  const token = bearer(request.headers.authorization);
  const account = token === undefined ? undefined : hub.tokens.get(token);
  hub.requests.push({
    method,
    path: url.pathname,
    range: request.headers.range,
    account: account?.name,
    authorized: token !== undefined,
  });
  // The Hub refuses a token it does not know on any endpoint, even a public one.
  if (token !== undefined && !account && !url.pathname.startsWith('/oauth/')) {
    json(response, 401, { error: 'Invalid credentials in Authorization header' });
    return;
  }
  for (const route of routes) {
    const methods = [route.method].flat();
    const match = url.pathname.match(route.path);
    if (!match || !methods.includes(method)) continue;
    const body = () => readBody(request);
    await route.handle({ method, url, match, headers: request.headers, account, body }, response);
    return;
  }
  json(response, 404, { error: 'Not found' });
}

const ID = '([^/]+/[^/]+)';

function builtInRoutes(hub: Hub): HubRoute[] {
  return [
    {
      method: 'GET',
      path: /^\/api\/whoami-v2$/,
      handle: (request, response) => whoami(request, response),
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/datasets/${ID}/parquet(?:/([^/]+))?(?:/([^/]+))?$`),
      handle: (request, response) => parquetListing(hub, request, response),
    },
    {
      method: ['GET', 'HEAD'],
      path: new RegExp(`^/api/datasets/${ID}/parquet/([^/]+)/([^/]+)/(\\d+)\\.parquet$`),
      handle: (request, response) => parquetShard(hub, request, response),
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/datasets/${ID}(?:/revision/[^/]+)?$`),
      handle: (request, response) => datasetInfo(hub, request, response),
    },
    {
      method: ['GET', 'HEAD'],
      path: new RegExp(`^/datasets/${ID}/resolve/([^/]+)/(.+)$`),
      handle: (request, response) => resolveFile(hub, request, response),
    },
    ...oauthRoutes(hub),
    ...pushRoutes(hub),
  ];
}

function whoami(request: HubRequest, response: ServerResponse): void {
  if (!request.account) {
    json(response, 401, { error: 'Invalid credentials in Authorization header' });
    return;
  }
  const { name, role } = request.account;
  json(response, 200, {
    type: 'user',
    id: `id-${name}`,
    name,
    fullname: name[0].toUpperCase() + name.slice(1),
    email: `${name}@example.com`,
    emailVerified: true,
    isPro: false,
    canPay: false,
    avatarUrl: '',
    orgs: [],
    auth: {
      type: 'access_token',
      accessToken: {
        displayName: `${name}'s ${role} token`,
        role,
        createdAt: '2025-01-01T00:00:00Z',
      },
    },
  });
}

/**
 * The repo `id` if the request may read it; otherwise answers as the Hub does
 * and returns undefined. Gated datasets show their info to anyone (`files`
 * false); their files only to the accounts granted access.
 */
function readable(hub: Hub, request: HubRequest, response: ServerResponse, files: boolean) {
  const id = decodeURIComponent(request.match[1]);
  const repo = hub.repos.get(id);
  const reader = request.account && repo?.readers?.includes(request.account.name);
  if (!repo || (repo.private && !reader)) {
    response.setHeader('X-Error-Code', 'RepoNotFound');
    json(response, request.account ? 404 : 401, { error: 'Repository not found' });
    return undefined;
  }
  if (files && repo.gated && !reader) {
    const message = `Access to dataset ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
    response.setHeader('X-Error-Code', 'GatedRepo');
    response.setHeader('X-Error-Message', message);
    json(response, request.account ? 403 : 401, { error: message });
    return undefined;
  }
  return repo;
}

function datasetInfo(hub: Hub, request: HubRequest, response: ServerResponse): void {
  const repo = readable(hub, request, response, false);
  if (!repo) return;
  json(response, 200, {
    _id: `id-${repo.id}`,
    id: repo.id,
    author: repo.id.split('/')[0],
    private: Boolean(repo.private),
    gated: repo.gated ?? false,
    disabled: false,
    downloads: 0,
    likes: 0,
    lastModified: '2025-01-01T00:00:00.000Z',
    sha: '0'.repeat(40),
    tags: [],
    cardData: { configs: Object.keys(repo.parquet).map((config_name) => ({ config_name })) },
  });
}

/** The listing at each depth: {config: {split: [urls]}}, {split: [urls]} or [urls]. */
function parquetListing(hub: Hub, request: HubRequest, response: ServerResponse): void {
  const repo = readable(hub, request, response, true);
  if (!repo) return;
  const [, , config, split] = request.match.map((part) => part && decodeURIComponent(part));
  const urls = (c: string, s: string) =>
    repo.parquet[c][s].map(
      (_, n) =>
        `${hub.url}/api/datasets/${repo.id}/parquet/${encodeURIComponent(c)}/${encodeURIComponent(s)}/${n}.parquet`,
    );
  const splits = (c: string) =>
    Object.fromEntries(Object.keys(repo.parquet[c]).map((s) => [s, urls(c, s)]));
  if (config !== undefined && !Object.hasOwn(repo.parquet, config)) {
    json(response, 404, { error: `Config ${config} not found` });
  } else if (split !== undefined && !Object.hasOwn(repo.parquet[config], split)) {
    json(response, 404, { error: `Split ${split} not found` });
  } else if (split !== undefined) {
    json(response, 200, urls(config, split));
  } else if (config !== undefined) {
    json(response, 200, splits(config));
  } else {
    json(response, 200, Object.fromEntries(Object.keys(repo.parquet).map((c) => [c, splits(c)])));
  }
}

/** A shard by its index, as a redirect to its file on the refs/convert/parquet branch. */
function parquetShard(hub: Hub, request: HubRequest, response: ServerResponse): void {
  const repo = readable(hub, request, response, true);
  if (!repo) return;
  const [, , config, split, n] = request.match.map(decodeURIComponent);
  const shard = repo.parquet[config]?.[split]?.[Number(n)];
  if (!shard) {
    json(response, 404, { error: 'Entry not found' });
    return;
  }
  const path = `${encodeURIComponent(config)}/${encodeURIComponent(split)}/${n.padStart(4, '0')}.parquet`;
  response.writeHead(302, {
    Location: `${hub.url}/datasets/${repo.id}/resolve/${encodeURIComponent('refs/convert/parquet')}/${path}`,
  });
  response.end();
}

/** A file of main or of refs/convert/parquet, whole or the one byte range asked for. */
function resolveFile(hub: Hub, request: HubRequest, response: ServerResponse): void {
  const repo = readable(hub, request, response, true);
  if (!repo) return;
  const revision = decodeURIComponent(request.match[2]);
  const path = decodeURIComponent(request.match[3]);
  const file =
    revision === 'refs/convert/parquet' ? convertedFile(repo, path) : repo.files.get(path);
  if (!file || (revision !== 'main' && revision !== 'refs/convert/parquet')) {
    response.setHeader('X-Error-Code', 'EntryNotFound');
    json(response, 404, { error: 'Entry not found' });
    return;
  }
  sendBytes(request, response, file, contentType(path));
}

function convertedFile(repo: HubRepo, path: string): Uint8Array | undefined {
  const [config, split, name] = path.split('/');
  return repo.parquet[config]?.[split]?.[Number.parseInt(name, 10)];
}

/** Bytes with Range support: one `bytes=a-b`, `bytes=a-` or `bytes=-n` range, as the Hub's CDN serves. */
export function sendBytes(
  request: Pick<HubRequest, 'method' | 'headers'>,
  response: ServerResponse,
  bytes: Uint8Array,
  type: string,
): void {
  response.setHeader('Content-Type', type);
  response.setHeader('Accept-Ranges', 'bytes');
  response.setHeader('ETag', `"${bytes.length}"`);
  const range = request.headers.range?.match(/^bytes=(\d*)-(\d*)$/);
  let [start, end] = [0, bytes.length - 1];
  if (range) {
    [start, end] = range[1]
      ? [Number(range[1]), range[2] ? Math.min(Number(range[2]), end) : end]
      : [Math.max(0, bytes.length - Number(range[2])), end];
    if (start > end) {
      response.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
      return;
    }
    response.setHeader('Content-Range', `bytes ${start}-${end}/${bytes.length}`);
  }
  response.writeHead(range ? 206 : 200, { 'Content-Length': end - start + 1 });
  response.end(request.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
}

/**
 * OpenID Connect as the Hub offers it to apps with a client id: authorize
 * answers at once with a code, as after the person agreed, and the code buys
 * alice's token.
 */
function oauthRoutes(hub: Hub): HubRoute[] {
  const codes = new Set<string>();
  return [
    {
      method: 'GET',
      path: /^\/\.well-known\/openid-configuration$/,
      handle: (_, response) =>
        json(response, 200, {
          issuer: hub.url,
          authorization_endpoint: `${hub.url}/oauth/authorize`,
          token_endpoint: `${hub.url}/oauth/token`,
          userinfo_endpoint: `${hub.url}/oauth/userinfo`,
        }),
    },
    {
      method: 'GET',
      path: /^\/oauth\/authorize$/,
      handle: ({ url }, response) => {
        const code = randomUUID();
        codes.add(code);
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        response.writeHead(302, { Location: back.href }).end();
      },
    },
    {
      method: 'POST',
      path: /^\/oauth\/token$/,
      handle: async (request, response) => {
        const form = new URLSearchParams((await request.body()).toString());
        if (!codes.delete(form.get('code') ?? '') || !form.get('code_verifier')) {
          json(response, 400, { error: 'invalid_grant' });
          return;
        }
        json(response, 200, {
          access_token: HUB_TOKENS.alice,
          expires_in: 3600,
          id_token: '',
          scope: 'openid profile read-repos',
          token_type: 'bearer',
        });
      },
    },
    {
      method: 'GET',
      path: /^\/oauth\/userinfo$/,
      handle: ({ account }, response) =>
        account
          ? json(response, 200, {
              sub: `id-${account.name}`,
              name: account.name,
              preferred_username: account.name,
              picture: '',
              profile: `${hub.url}/${account.name}`,
              isPro: false,
            })
          : json(response, 401, { error: 'Invalid credentials in Authorization header' }),
    },
  ];
}

/**
 * Making and writing dataset repositories, as the Hub does for a write token
 * under its own account's name (403 otherwise, 409 for a name already made).
 * A commit lands whole or not at all: its regular files come base64 in the
 * NDJSON body, its LFS files (Parquet, as the preupload answer says) by their
 * sha256, uploaded before to the URL the LFS batch gave and checked there.
 */
function pushRoutes(hub: Hub): HubRoute[] {
  const uploads = new Map<string, Uint8Array>();
  return [
    {
      method: 'POST',
      path: /^\/api\/repos\/create$/,
      handle: (request, response) => createRepo(hub, request, response),
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/datasets/${ID}/preupload/[^/]+$`),
      handle: async (request, response) => {
        if (!writable(hub, request, response)) return;
        const { files } = JSON.parse((await request.body()).toString()) as {
          files: { path: string }[];
        };
        json(response, 200, {
          files: files.map(({ path }) => ({
            path,
            uploadMode: path.endsWith('.parquet') ? 'lfs' : 'regular',
            shouldIgnore: false,
          })),
        });
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/datasets/${ID}\\.git/info/lfs/objects/batch$`),
      handle: async (request, response) => {
        if (!writable(hub, request, response)) return;
        const { objects } = JSON.parse((await request.body()).toString()) as {
          objects: { oid: string; size: number }[];
        };
        json(response, 200, {
          transfer: 'basic',
          objects: objects.map(({ oid, size }) =>
            uploads.has(oid)
              ? { oid, size }
              : { oid, size, actions: { upload: { href: `${hub.url}/lfs-upload/${oid}` } } },
          ),
        });
      },
    },
    {
      method: 'PUT',
      path: /^\/lfs-upload\/([0-9a-f]{64})$/,
      handle: async (request, response) => {
        const bytes = new Uint8Array(await request.body());
        if (createHash('sha256').update(bytes).digest('hex') !== request.match[1]) {
          json(response, 400, { error: 'The content does not match its sha256' });
          return;
        }
        uploads.set(request.match[1], bytes);
        response.writeHead(200).end();
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/datasets/${ID}/commit/main$`),
      handle: async (request, response) => {
        const repo = writable(hub, request, response);
        if (!repo) return;
        const files = committedFiles((await request.body()).toString(), uploads);
        if (!files) {
          json(response, 422, { error: 'An LFS file of the commit was never uploaded' });
          return;
        }
        for (const [path, bytes] of files) repo.files.set(path, bytes);
        const oid = randomUUID().replaceAll('-', '').padEnd(40, '0');
        json(response, 200, {
          success: true,
          commitOid: oid,
          commitUrl: `${hub.url}/datasets/${repo.id}/commit/${oid}`,
          hookOutput: '',
        });
      },
    },
  ];
}

async function createRepo(hub: Hub, request: HubRequest, response: ServerResponse): Promise<void> {
  const body = JSON.parse((await request.body()).toString()) as {
    name: string;
    organization: string;
    type: string;
    visibility?: 'public' | 'private';
  };
  const id = `${body.organization}/${body.name}`;
  if (!request.account) {
    json(response, 401, { error: 'Invalid credentials in Authorization header' });
  } else if (request.account.role !== 'write' || request.account.name !== body.organization) {
    json(response, 403, {
      error: `You don't have the rights to create a ${body.type} under the namespace "${body.organization}"`,
    });
  } else if (hub.repos.has(id)) {
    json(response, 409, {
      error: `You already created this ${body.type} repo`,
      url: `${hub.url}/datasets/${id}`,
    });
  } else {
    hub.repos.set(id, {
      id,
      private: body.visibility === 'private',
      readers: [request.account.name],
      files: new Map(),
      parquet: {},
    });
    json(response, 200, { url: `${hub.url}/datasets/${id}`, name: id, id: `id-${id}` });
  }
}

/** The repo `id` if the request's token may write to it; otherwise answers as the Hub does. */
function writable(hub: Hub, request: HubRequest, response: ServerResponse) {
  const repo = readable(hub, request, response, false);
  if (!repo) return undefined;
  const { account } = request;
  if (account?.role !== 'write' || repo.id.split('/')[0] !== account.name) {
    json(response, 403, { error: `You don't have write access to ${repo.id}` });
    return undefined;
  }
  return repo;
}

/** The files a commit's NDJSON body adds, by path; undefined if it names an LFS file never uploaded. */
function committedFiles(
  body: string,
  uploads: ReadonlyMap<string, Uint8Array>,
): Map<string, Uint8Array> | undefined {
  const files = new Map<string, Uint8Array>();
  for (const line of body.split('\n').filter(Boolean)) {
    const { key, value } = JSON.parse(line) as {
      key: string;
      value: { path: string; content?: string; oid?: string };
    };
    if (key === 'file')
      files.set(value.path, new Uint8Array(Buffer.from(value.content ?? '', 'base64')));
    if (key === 'lfsFile') {
      const bytes = uploads.get(value.oid ?? '');
      if (!bytes) return undefined;
      files.set(value.path, bytes);
    }
  }
  return files;
}

function bearer(header: string | undefined): string | undefined {
  return header?.match(/^Bearer (.+)$/i)?.[1];
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function contentType(path: string): string {
  if (path.endsWith('.parquet')) return 'application/vnd.apache.parquet';
  if (path.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (path.endsWith('.jsonl')) return 'application/jsonl; charset=utf-8';
  if (path.endsWith('.json')) return 'application/json; charset=utf-8';
  return 'application/octet-stream';
}

// The fixtures.

type Column = Record<string, (string | number)[]>;

/** A Parquet file of string and integer columns, `rowGroupSize` rows to a row group. */
export function parquetFile(columns: Column, rowGroupSize = 1000): Uint8Array {
  const columnData = Object.entries(columns).map(([name, data]) => ({
    name,
    data,
    type: typeof data[0] === 'number' ? ('INT32' as const) : ('STRING' as const),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize }));
}

/** The rows of the default fixtures' splits, to compare imports with. */
export const FIXTURE_ROWS = {
  'retort/instructions': {
    default: {
      train: ['Name three colours.', 'Write a haiku about tea.', 'What is 7 * 6?'].map(
        (instruction, i) => ({ instruction, id: i }),
      ),
      test: ['Translate "bonjour".', 'Spell "necessary".'].map((instruction, i) => ({
        instruction,
        id: 100 + i,
      })),
    },
    hard: {
      train: ['Prove that √2 is irrational.', 'Explain the CAP theorem.'].map((instruction, i) => ({
        instruction,
        id: 200 + i,
      })),
    },
  },
} as const;

/** Rows and rows to a row group of the long dataset: 4 row groups of about 300 KB each. */
export const LONG_ROWS = 4000;
export const LONG_GROUP_ROWS = 1000;

/** Text that compresses badly, the same every time, so row groups have a real size. */
function noise(row: number): string {
  let state = row * 2654435761 + 1;
  let text = '';
  for (let i = 0; i < 300; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    text += String.fromCharCode(97 + (state % 26));
  }
  return text;
}

export function longRows(): { instruction: string; id: number }[] {
  return Array.from({ length: LONG_ROWS }, (_, id) => ({ instruction: `${id}: ${noise(id)}`, id }));
}

function columnsOf(rows: readonly Record<string, string | number>[]): Column {
  return Object.fromEntries(
    Object.keys(rows[0]).map((name) => [name, rows.map((row) => row[name])]),
  );
}

/**
 * A public dataset with two configs and their splits, one long enough to read
 * in part (also on main as data/long.parquet, with CSV and JSON Lines copies
 * of a small table for Import from a URL), a private one and a gated one.
 */
export function fixtureRepos(): HubRepo[] {
  const { default: plain, hard } = FIXTURE_ROWS['retort/instructions'];
  const long = parquetFile(columnsOf(longRows()), LONG_GROUP_ROWS);
  const small = (text: string) => ({ default: { train: [parquetFile({ text: [text] })] } });
  const encode = (text: string) => new TextEncoder().encode(text);
  return [
    {
      id: 'retort/instructions',
      files: new Map([
        ['data/long.parquet', long],
        ['data/train.csv', encode('instruction,id\nName three colours.,0\n"Say ""hi"".",1\n')],
        [
          'data/train.jsonl',
          encode(
            '{"instruction":"Name three colours.","id":0}\n{"instruction":"Say \\"hi\\".","id":1}\n',
          ),
        ],
        ['README.md', encode('# Instructions\n')],
      ]),
      parquet: {
        default: {
          train: [parquetFile(columnsOf(plain.train))],
          test: [parquetFile(columnsOf(plain.test))],
        },
        hard: { train: [parquetFile(columnsOf(hard.train))] },
        long: { train: [long] },
      },
    },
    {
      id: 'retort/private',
      private: true,
      readers: ['alice'],
      files: new Map(),
      parquet: small('secret'),
    },
    {
      id: 'retort/gated',
      gated: 'manual',
      readers: ['alice'],
      files: new Map(),
      parquet: small('gated'),
    },
  ];
}
