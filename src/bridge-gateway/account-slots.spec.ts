import { AccountSlots, SlotWaitTimeout } from './account-slots.js';

describe('AccountSlots', () => {
  it('gives an account at most `limit` slots; other accounts are not affected', () => {
    const slots = new AccountSlots(2);
    expect(slots.tryTake('a')).not.toBeNull();
    expect(slots.tryTake('a')).not.toBeNull();
    expect(slots.tryTake('a')).toBeNull();
    expect(slots.tryTake('b')).not.toBeNull();
    expect(slots.inFlight('a')).toBe(2);
  });

  it('hands a released slot to the first waiter, and a release twice frees one slot only', async () => {
    const slots = new AccountSlots(1);
    const release = slots.tryTake('a')!;
    const order: string[] = [];
    const first = slots.take('a', 5_000).then((r) => (order.push('first'), r));
    const second = slots.take('a', 5_000).then((r) => (order.push('second'), r));
    release();
    release();
    const r1 = await first;
    expect(order).toEqual(['first']);
    expect(slots.inFlight('a')).toBe(1);
    r1();
    (await second)();
    expect(order).toEqual(['first', 'second']);
    expect(slots.inFlight('a')).toBe(0);
  });

  it('gives up waiting after waitMs, and a waiter that gave up takes no slot later', async () => {
    const slots = new AccountSlots(1);
    const release = slots.tryTake('a')!;
    await expect(slots.take('a', 20)).rejects.toBeInstanceOf(SlotWaitTimeout);
    release();
    expect(slots.inFlight('a')).toBe(0);
    expect(slots.tryTake('a')).not.toBeNull();
  });
});
