import { api, ApiError, seg, type ChatwootSetAnswer, type ChatwootStatus, type ConnectAnswer, type InstanceItem } from './api';
import { describeEvent, type StreamEvent } from './events';

/** Kept for this tab only: sessionStorage ends with the tab, and nothing goes to localStorage or a cookie. */
const TOKEN_KEY = 'ryze-manager-token';
/** A QR code lives about 20 s (SPEC-MESSAGING §8): asking for the current one every 5 s shows each new one in time. */
const QR_REFRESH_MS = 5_000;
/** How many events the list keeps. */
const EVENTS_SHOWN = 50;
/** Stream reconnection backoff. */
const STREAM_RETRY_MIN_MS = 1_000;
const STREAM_RETRY_MAX_MS = 30_000;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

const ui = {
  signIn: $('sign-in'),
  tokenForm: $<HTMLFormElement>('token-form'),
  tokenInput: $<HTMLInputElement>('token'),
  tokenError: $('token-error'),
  forget: $<HTMLButtonElement>('forget'),
  instances: $('instances'),
  instancesSummary: $('instances-summary'),
  rows: $('instance-rows'),
  refresh: $<HTMLButtonElement>('refresh'),
  instancesError: $('instances-error'),
  instance: $('instance'),
  instanceName: $('instance-name'),
  instanceStatus: $('instance-status'),
  connectedNote: $('connected-note'),
  qrBox: $('qr-box'),
  qr: $<HTMLImageElement>('qr'),
  connect: $<HTMLButtonElement>('connect'),
  logout: $<HTMLButtonElement>('logout'),
  connectionMessage: $('connection-message'),
  connectionError: $('connection-error'),
  chatwootStatus: $('chatwoot-status'),
  chatwootAbsent: $('chatwoot-absent'),
  chatwootForm: $<HTMLFormElement>('chatwoot-form'),
  chatwootMessage: $('chatwoot-message'),
  chatwootError: $('chatwoot-error'),
  streamState: $('stream-state'),
  events: $('events'),
};

let token: string | null = sessionStorage.getItem(TOKEN_KEY);

/** The instance on screen, with its timers and its event stream. */
interface Selected {
  name: string;
  status: string;
  qrCode: string | null;
  qrTimer: number | null;
  qrFetching: boolean;
  socket: WebSocket | null;
  streamRetry: number | null;
  streamDelay: number;
  lastSeq: number | null;
  /** Counts instance.state events, to tell whether one arrived while a connect call was on its way. */
  stateEvents: number;
  closed: boolean;
}
let selected: Selected | null = null;

const call = <T>(method: string, path: string, body?: unknown) => api<T>(token ?? '', method, path, body);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

// ---- token -----------------------------------------------------------------------------------

ui.tokenForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const value = ui.tokenInput.value.trim();
  ui.tokenError.textContent = '';
  if (!value) {
    ui.tokenError.textContent = 'Paste a TokenAccount or a TokenInstance.';
    return;
  }
  token = value;
  void loadInstances().then((ok) => {
    if (ok) {
      sessionStorage.setItem(TOKEN_KEY, value);
      ui.tokenInput.value = '';
    } else {
      token = null;
    }
  });
});

ui.forget.addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  closeInstance();
  ui.instances.hidden = true;
  ui.forget.hidden = true;
  ui.signIn.hidden = false;
  ui.tokenInput.focus();
});

// ---- instance list ---------------------------------------------------------------------------

/** Lists the token's instances; false (and the API's message) when the token is refused. */
async function loadInstances(): Promise<boolean> {
  ui.instancesError.textContent = '';
  let list: { message: string; instances: InstanceItem[] };
  try {
    list = await call('GET', '/api/instance/list');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      ui.signIn.hidden = false;
      ui.instances.hidden = true;
      ui.forget.hidden = true;
      ui.tokenError.textContent = err.message;
      return false;
    }
    ui.instancesError.textContent = messageOf(err);
    return !ui.instances.hidden;
  }
  ui.signIn.hidden = true;
  ui.instances.hidden = false;
  ui.forget.hidden = false;
  ui.instancesSummary.textContent = list.message;
  ui.rows.replaceChildren(...list.instances.map(instanceRow));
  return true;
}

function instanceRow(item: InstanceItem): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.instance = item.name;
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = item.name;
  const status = document.createElement('td');
  status.className = 'status';
  status.textContent = item.status;
  const chatwoot = document.createElement('td');
  chatwoot.textContent = item.chatwoot.enabled ? (item.chatwoot.status ?? 'unknown') : 'not activated';
  const actions = document.createElement('td');
  const open = document.createElement('button');
  open.type = 'button';
  open.textContent = 'Manage';
  open.setAttribute('aria-label', `Manage ${item.name}`);
  open.addEventListener('click', () => openInstance(item));
  actions.append(open);
  tr.append(name, status, chatwoot, actions);
  return tr;
}

ui.refresh.addEventListener('click', () => void loadInstances());

// ---- one instance ----------------------------------------------------------------------------

function openInstance(item: InstanceItem): void {
  closeInstance();
  selected = {
    name: item.name, status: item.status, qrCode: null, qrTimer: null, qrFetching: false,
    socket: null, streamRetry: null, streamDelay: STREAM_RETRY_MIN_MS, lastSeq: null, stateEvents: 0, closed: false,
  };
  ui.instanceName.textContent = item.name;
  ui.connectionMessage.textContent = '';
  ui.connectionError.textContent = '';
  ui.chatwootMessage.textContent = '';
  ui.chatwootError.textContent = '';
  ui.events.replaceChildren();
  ui.instance.hidden = false;
  showStatus(item.status);
  openStream(selected);
  void loadChatwoot(selected);
  ui.instance.scrollIntoView({ block: 'start' });
  ui.connect.focus();
}

function closeInstance(): void {
  if (!selected) return;
  selected.closed = true;
  stopQr(selected);
  if (selected.streamRetry !== null) clearTimeout(selected.streamRetry);
  selected.socket?.close(1000, 'closed by the page');
  selected = null;
  ui.instance.hidden = true;
}

/** Shows a status (the API's own word) and what goes with it: the QR code only while one is current. */
function showStatus(status: string): void {
  if (!selected) return;
  selected.status = status;
  const changed = ui.instanceStatus.textContent !== status;
  ui.instanceStatus.textContent = status;
  ui.connectedNote.hidden = status !== 'connected';
  ui.connect.hidden = status === 'connected';
  // What the last connect said ("Scan the QR code…") is stale once the status moves on.
  if (changed) ui.connectionMessage.textContent = '';
  const row = ui.rows.querySelector<HTMLTableRowElement>(`tr[data-instance="${CSS.escape(selected.name)}"] .status`);
  if (row) row.textContent = status;
  if (status === 'qr_ready') {
    startQr(selected);
  } else {
    stopQr(selected);
  }
}

ui.connect.addEventListener('click', () => {
  const s = selected;
  if (!s) return;
  ui.connectionError.textContent = '';
  ui.connectionMessage.textContent = 'Waiting for WhatsApp…';
  ui.connect.disabled = true;
  void fetchQr(s).finally(() => {
    ui.connect.disabled = false;
  });
});

ui.logout.addEventListener('click', () => {
  const s = selected;
  if (!s || !confirm(`Log ${s.name} out of WhatsApp? Pairing again needs the phone.`)) return;
  ui.connectionError.textContent = '';
  void call<{ message: string; instance: { status: string } }>('DELETE', `/api/instance/logout/${seg(s.name)}`).then(
    (answer) => {
      if (selected !== s) return;
      showStatus(answer.instance.status);
      ui.connectionMessage.textContent = answer.message;
    },
    (err) => (ui.connectionError.textContent = messageOf(err)),
  );
});

/** GET connect: the current QR code (the call starts the session when none runs), or "connected". */
async function fetchQr(s: Selected): Promise<void> {
  if (s.qrFetching) return;
  s.qrFetching = true;
  const events = s.stateEvents;
  try {
    const answer = await call<ConnectAnswer>('GET', `/api/instance/connect/${seg(s.name)}`);
    if (s.closed) return;
    // The stream told another status while the call was on its way (the phone paired meanwhile):
    // the stream is newer.
    if (s.stateEvents !== events && answer.status !== s.status) return;
    if (answer.status !== s.status) showStatus(answer.status);
    ui.connectionMessage.textContent = answer.message;
    if (answer.status === 'qr_ready' && answer.qrCodeBase64 && answer.qrCode) {
      if (answer.qrCode !== s.qrCode) {
        s.qrCode = answer.qrCode;
        ui.qr.src = answer.qrCodeBase64;
      }
      ui.qrBox.hidden = false;
    }
  } catch (err) {
    if (!s.closed) ui.connectionError.textContent = messageOf(err);
  } finally {
    s.qrFetching = false;
  }
}

function startQr(s: Selected): void {
  if (s.qrTimer !== null) return;
  if (s.qrCode === null) void fetchQr(s);
  s.qrTimer = window.setInterval(() => void fetchQr(s), QR_REFRESH_MS);
}

function stopQr(s: Selected): void {
  if (s.qrTimer !== null) clearInterval(s.qrTimer);
  s.qrTimer = null;
  s.qrCode = null;
  ui.qrBox.hidden = true;
  ui.qr.removeAttribute('src');
}

// ---- the event stream ------------------------------------------------------------------------

/**
 * `/ws/:instance` on this origin. A browser cannot set headers on a WebSocket, so the token goes
 * as `?token=` (SPEC-MESSAGING §10) in the socket's URL, never in the page's. A lost stream
 * resumes after the last event shown, with no gap.
 */
function openStream(s: Selected): void {
  const url = new URL(`/ws/${seg(s.name)}`, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token ?? '');
  if (s.lastSeq !== null) url.searchParams.set('after', String(s.lastSeq));
  ui.streamState.textContent = 'connecting';
  const socket = new WebSocket(url);
  s.socket = socket;
  socket.addEventListener('open', () => {
    s.streamDelay = STREAM_RETRY_MIN_MS;
    ui.streamState.textContent = 'live';
  });
  socket.addEventListener('message', (msg) => {
    let e: StreamEvent;
    try {
      e = JSON.parse(String(msg.data)) as StreamEvent;
    } catch {
      return;
    }
    s.lastSeq = e.seq;
    showEvent(e);
    if (e.event === 'instance.state' && typeof e.data?.status === 'string') {
      s.stateEvents += 1;
      showStatus(e.data.status);
      // The integration follows the connection (paused while WhatsApp is not connected).
      void loadChatwoot(s);
    }
  });
  socket.addEventListener('close', (ev) => {
    if (s.closed || s.socket !== socket) return;
    // 4410: the events after lastSeq are gone; what is kept is shown from now on.
    if (ev.code === 4410) s.lastSeq = null;
    const delay = s.streamDelay;
    s.streamDelay = Math.min(delay * 2, STREAM_RETRY_MAX_MS);
    ui.streamState.textContent = `closed${ev.code ? ` (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})` : ''}, retrying in ${Math.round(delay / 1000)} s`;
    s.streamRetry = window.setTimeout(() => {
      s.streamRetry = null;
      if (!s.closed) openStream(s);
    }, delay);
  });
}

function showEvent(e: StreamEvent): void {
  const li = document.createElement('li');
  li.textContent = `#${e.seq} ${e.event} — ${describeEvent(e)}`;
  ui.events.prepend(li);
  while (ui.events.children.length > EVENTS_SHOWN) ui.events.lastElementChild?.remove();
}

// ---- Chatwoot --------------------------------------------------------------------------------

async function loadChatwoot(s: Selected): Promise<void> {
  try {
    const status = await call<ChatwootStatus>('GET', `/api/chatwoot/list/${seg(s.name)}`);
    if (s.closed) return;
    ui.chatwootAbsent.textContent = '';
    const facts: Array<[string, string]> = [
      ['Status', status.status],
      ['Last error', status.last_error || '—'],
      ['Chatwoot URL', status.chatwoot_base_url],
      ['Account', String(status.chatwoot_account_id)],
      ['Inbox', `${status.chatwoot_inbox_name} (${status.chatwoot_inbox_id || 'id not known yet'})`],
      ['Updated', status.updated_at],
    ];
    ui.chatwootStatus.replaceChildren(
      ...facts.flatMap(([term, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = term;
        const dd = document.createElement('dd');
        dd.textContent = value;
        dd.dataset.fact = term;
        return [dt, dd];
      }),
    );
  } catch (err) {
    if (s.closed) return;
    // "no chatwoot integration for this instance" (404) or the module is off (503): said as the API says it.
    ui.chatwootStatus.replaceChildren();
    ui.chatwootAbsent.textContent = messageOf(err);
  }
}

ui.chatwootForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const s = selected;
  if (!s) return;
  const form = ui.chatwootForm;
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const accountId = field('chatwootAccountId').value.trim();
  // The set body of SPEC §5 as typed: the API validates it and its message is shown verbatim.
  const body: Record<string, unknown> = {
    chatwootBaseUrl: field('chatwootBaseUrl').value.trim(),
    chatwootAccountId: /^\d+$/.test(accountId) ? Number(accountId) : accountId,
    chatwootApiToken: field('chatwootApiToken').value,
  };
  const inboxName = field('inboxName').value.trim();
  if (inboxName) body.inboxName = inboxName;
  for (const flag of ['signMessages', 'ignoreGroups', 'startAsPending', 'reopenResolved']) body[flag] = field(flag).checked;
  ui.chatwootMessage.textContent = 'Activating…';
  ui.chatwootError.textContent = '';
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  submit.disabled = true;
  void call<ChatwootSetAnswer>('POST', `/api/chatwoot/set/${seg(s.name)}`, body)
    .then(
      (answer) => {
        ui.chatwootMessage.textContent = `${answer.message}: ${answer.status}`;
        field('chatwootApiToken').value = '';
        return Promise.all([loadChatwoot(s), loadInstances()]);
      },
      (err) => {
        ui.chatwootMessage.textContent = '';
        ui.chatwootError.textContent = messageOf(err);
      },
    )
    .finally(() => (submit.disabled = false));
});

// ---- start -----------------------------------------------------------------------------------

if (token) {
  void loadInstances().then((ok) => {
    if (!ok) sessionStorage.removeItem(TOKEN_KEY);
  });
} else {
  ui.tokenInput.focus();
}
