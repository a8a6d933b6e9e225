import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config.js';
import type { Instance } from '../../instances/instance.entity.js';
import type { Fleet } from '../../leases/fleet.js';
import type { LeasesService } from '../../leases/leases.service.js';
import type { BaileysAdapter } from './baileys.adapter.js';
import { BaileysOwnership } from './baileys-ownership.js';
import type { BaileysSendRelay } from './baileys-send-relay.js';

const instance = { id: '00000000-0000-4000-8000-000000000001', name: 'shop', provider: 'baileys' } as Instance;

/**
 * The sweep's "session row gone means log out" rule against the one race it must survive: a
 * device linked a moment ago, its first write committing while the sweep reads the sessions.
 */
function setup({ savedBeforeRead, savedDuringRead }: { savedBeforeRead: boolean; savedDuringRead: boolean }) {
  let saved = savedBeforeRead;
  const calls: string[] = [];
  const adapter = {
    connect: async () => ({ status: 'qr_ready', qrCode: '2@ref' }),
    unsaved: () => !saved,
    logout: async () => void calls.push('logout'),
    release: async () => void calls.push('release'),
  } as unknown as BaileysAdapter;
  const leases = {
    acquire: async () => true,
    renew: async () => [],
    release: async () => undefined,
  } as unknown as LeasesService;
  const dataSource = {
    // The sessions read: no row yet; the first write commits while it runs.
    query: async () => {
      if (savedDuringRead) saved = true;
      return [];
    },
  } as unknown as DataSource;
  const ownership = new BaileysOwnership(adapter, leases, {} as Fleet, dataSource, { roles: ['bridge'] } as unknown as AppConfig, {} as BaileysSendRelay);
  return { ownership, calls };
}

describe('BaileysOwnership sweep', () => {
  it('keeps a connection whose session is being written for the first time while it reads', async () => {
    const { ownership, calls } = setup({ savedBeforeRead: false, savedDuringRead: true });
    await ownership.connect(instance, undefined, () => null);
    await ownership.sweep();
    expect(calls).toEqual([]);
    expect(ownership.holds(instance.id)).toBe(true);
  });

  it('logs out and hands over a connection whose saved session was deleted (a logout elsewhere)', async () => {
    const { ownership, calls } = setup({ savedBeforeRead: true, savedDuringRead: true });
    await ownership.connect(instance, undefined, () => null);
    await ownership.sweep();
    expect(calls).toEqual(['logout', 'release']);
    expect(ownership.holds(instance.id)).toBe(false);
  });
});
