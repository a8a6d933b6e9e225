import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressPolicy, NO_ALLOWED_HOSTS, parseAllowedHosts } from '../common/http/url-policy.js';
import { fetchMediaUrl, MediaFetchError } from './media-source.js';

/** `mediaUrl` fetches follow the address policy of SPEC §1 (CHATWOOT_ALLOWED_HOSTS), redirects included. */
describe('fetchMediaUrl: the address policy', () => {
  let server: Server;
  let base: string;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/to-metadata') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('INTERNAL-SECRET-PAGE');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    hits = 0;
  });

  const fetchWith = (policy: AddressPolicy, url: string) => fetchMediaUrl(url, { maxBytes: 1024, timeoutMs: 2000, policy });
  const opened = new AddressPolicy(parseAllowedHosts('127.0.0.1').allowed);

  it('refuses a loopback address by default, before connecting', async () => {
    await expect(fetchWith(new AddressPolicy(NO_ALLOWED_HOSTS), `${base}/page`)).rejects.toEqual(new MediaFetchError('127.0.0.1 is not a public address'));
    await expect(fetchWith(new AddressPolicy(NO_ALLOWED_HOSTS), `${base.replace('127.0.0.1', 'localhost')}/page`)).rejects.toThrow(
      /^localhost resolves to (127\.0\.0\.1|::1), which is not a public address$/,
    );
    expect(hits).toBe(0);
  });

  it('fetches from an address CHATWOOT_ALLOWED_HOSTS opens, but never follows a redirect to the metadata address', async () => {
    expect((await fetchWith(opened, `${base}/page`)).bytes.toString()).toBe('INTERNAL-SECRET-PAGE');
    await expect(fetchWith(opened, `${base}/to-metadata`)).rejects.toEqual(new MediaFetchError('169.254.169.254 is not a public address'));
  });
});
