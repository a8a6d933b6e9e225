import { IntegrationRouter } from './integration-router.js';

/** `last_error` reaches the tenant (SPEC §5 status) and is cut when stored: the router redacts first. */
describe('IntegrationRouter: the reasons it reports', () => {
  const chatwootToken = 'cw_token_0123456789abcdefghijklm';
  const callbackToken = 'cb_token_9876543210zyxwvutsrqpon';

  it('leaves neither token, nor a part of one, in a reported reason', async () => {
    const reported: string[] = [];
    const warned: string[] = [];
    const router = new IntegrationRouter(
      {
        row: { id: 'int_1', streamSeq: 0 } as never,
        target: { baseUrl: 'https://chatwoot.example.com', accountId: 5, apiToken: chatwootToken },
        source: { apiUrl: 'https://api.example.com', instance: 'suporte', token: callbackToken },
      },
      {
        store: {} as never,
        integrations: { reportRoutingError: async (_id: string, reason: string) => void reported.push(reason) } as never,
        chatwoot: {} as never,
        logger: { warn: (line: string) => void warned.push(line) } as never,
      },
    );
    // The store keeps 1,000 characters: the token straddles that cut.
    const reason = `${'x'.repeat(990)}${chatwootToken} and ${encodeURIComponent(callbackToken)}`;
    await (router as unknown as { reportError(reason: string, asStatus: boolean): Promise<void> }).reportError(reason, false);
    expect(reported).toEqual([`${'x'.repeat(990)}[REDACTED] and [REDACTED]`]);
    expect(warned.join('\n')).not.toContain(chatwootToken.slice(0, 8));
  });
});
