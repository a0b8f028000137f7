/*
 * The SCORM player's script. It runs on the content origin, beside the SCO's frame, and wires
 * scorm-again (loaded before it as a plain script) to the tool's runtime API:
 *   - the stored CMI is loaded before the SCO starts, so it resumes (entry, location, suspend_data);
 *   - scorm-again commits on autocommit, LMSCommit/Commit and LMSFinish/Terminate (a beacon)
 *     through the transport below, which keeps a commit made while the window closes;
 *   - when the page is hidden or closed, the current state goes out by sendBeacon, so content that
 *     never calls Finish still has its last state kept;
 *   - SCORM 2004 navigation requests (adl.nav.request) move between the package's SCOs, and
 *     adl.nav.request_valid answers what the server's sequencing allows (docs/content.md).
 * Every commit carries the session the launch opened and a sequence number: the server keeps the
 * newest window's data and ignores repeats (see docs/content.md, "Two windows").
 */

interface PlayerConfig {
  standard: 'scorm12' | 'scorm2004';
  scoId: string;
  launchUrl: string;
  launchStateUrl: string;
  commitUrl: string;
  nextUrl: string | null;
  previousUrl: string | null;
  exitUrl: string;
  /** Where "back" leads when the attempt was opened from a path step (the exit page then leads there too). */
  returnUrl: string | null;
  /** The package has one SCO: its end is the course's end. */
  singleSco: boolean;
  choiceUrls: Record<string, string>;
  /** SCORM 2004: what the server's sequencing allows from this SCO (adl.nav.request_valid). */
  requestValid: { continue: boolean; previous: boolean; choice: Record<string, boolean> } | null;
  /** Free-text elements (`n` for an index) the server stores up to `limit` characters. */
  longText: { elements: string[]; limit: number };
  texts: { ready: string; failed: string; superseded: string; finishedPart: string; finishedCourse: string; returning: string; next: string };
}

interface LaunchState {
  session: number;
  cmi: Record<string, string>;
}

interface CommitMetadata {
  isTerminateCommit?: boolean;
}

interface CommitAnswer {
  result: 'true' | 'false';
  errorCode: number;
}

/** scorm-again's IHttpService, the part it calls. */
interface CommitTransport {
  processHttpRequest(url: string, params: unknown, immediate: boolean, log: unknown, listeners: unknown, metadata?: CommitMetadata): CommitAnswer;
  updateSettings(settings: unknown): void;
}

const BEACON_TYPE = 'text/plain;charset=UTF-8';
const DISMISSAL_EVENTS = ['beforeunload', 'pagehide', 'unload'] as const;

/**
 * The commit transport given to scorm-again (its `httpService` setting). Storyline, Rise, iSpring
 * and Captivate call Commit, then Terminate, from beforeunload, pagehide or unload and check the
 * answer; Chromium refuses a synchronous XHR during page dismissal, so scorm-again's own transport
 * answers 391 (2004) or 101 (1.2) although the data could still leave. Here a commit goes by
 * synchronous XHR, so the content gets the server's answer, except while the page is dismissed:
 * then it goes by beacon and succeeds once the browser has queued it (the server keeps the newest
 * seq of the session, so a beacon arriving late cannot overwrite a later state). Terminate goes by
 * beacon as in scorm-again. A request refused outside dismissal (offline) is a failure.
 */
function commitTransport(
  failureCode: number,
  body: (params: unknown, terminate: boolean) => string,
  dismissed: () => boolean,
  onStatus: (httpStatus: number) => void,
): CommitTransport {
  const beacon = (url: string, text: string): CommitAnswer =>
    navigator.sendBeacon(url, new Blob([text], { type: BEACON_TYPE })) ? { result: 'true', errorCode: 0 } : { result: 'false', errorCode: failureCode };
  return {
    processHttpRequest(url, params, immediate, _log, _listeners, metadata) {
      const terminate = immediate || metadata?.isTerminateCommit === true;
      const text = body(params, terminate);
      if (terminate || dismissed()) return beacon(url, text);
      const xhr = new XMLHttpRequest();
      try {
        xhr.open('POST', url, false);
        xhr.setRequestHeader('Content-Type', 'application/json;charset=UTF-8');
        xhr.send(text);
      } catch {
        // Chromium: "Synchronous XHR in page dismissal" when the content's handler ran before ours.
        return dismissed() ? beacon(url, text) : { result: 'false', errorCode: failureCode };
      }
      onStatus(xhr.status);
      try {
        const answer = JSON.parse(xhr.responseText) as { result: unknown; errorCode: unknown };
        const ok = answer.result === true || answer.result === 'true';
        return { result: ok ? 'true' : 'false', errorCode: Number(answer.errorCode) || (ok ? 0 : failureCode) };
      } catch {
        return { result: 'false', errorCode: failureCode };
      }
    },
    updateSettings() {
      // Nothing of scorm-again's settings is used here.
    },
  };
}

/** 2004 interaction types whose responses are free text (RTE 4.2.9); the others keep their formats. */
const TEXT_RESPONSE_TYPES = ['fill-in', 'long-fill-in', 'other'];

/**
 * Makes scorm-again accept the free text the server stores. Its checks hold SCORM's lengths as
 * maximums and refuse line breaks (`.` in its patterns), so an iSpring question's multi-line,
 * 300-character `cmi.interactions.n.description` got 406 and was lost, although those lengths are
 * smallest permitted maximums. When scorm-again refuses one of the server's free-text elements as
 * a type mismatch (406 in 2004, 405 in 1.2) and the value is within the server's limit, it is kept
 * in the field scorm-again's setter guards; past that limit it is refused, as the server would
 * refuse the commit. Everything else (dependencies, read-only, the formats of structured 2004
 * responses) stays scorm-again's. Loading the stored state goes the same way.
 */
function acceptLongText(api: ScormApi, standard: PlayerConfig['standard'], longText: PlayerConfig['longText']): void {
  const patterns = longText.elements.map((element) => new RegExp(`^${element.split('.').map((part) => (part === 'n' ? '\\d+' : part)).join('\\.')}$`));
  const mismatch = standard === 'scorm12' ? 405 : 406;
  const original = api.setCMIValue.bind(api);
  const allowed = (element: string, value: unknown): value is string => {
    if (typeof value !== 'string' || !patterns.some((p) => p.test(element))) return false;
    if (standard === 'scorm12' || !/^cmi\.interactions\.\d+\.(learner_response|correct_responses\.\d+\.pattern)$/.test(element)) return true;
    const interaction = node(api.cmi, element.split('.').slice(1, 3));
    return TEXT_RESPONSE_TYPES.includes(String(interaction?.['type']));
  };
  /** Keeps the value in the field scorm-again's setter guards; false when there is no such field. */
  const keep = (element: string, value: string): boolean => {
    const parts = element.split('.').slice(1);
    const owner = node(api.cmi, parts.slice(0, -1));
    const field = `_${parts[parts.length - 1] ?? ''}`;
    if (!owner || !(field in owner)) return false;
    owner[field] = value;
    return true;
  };
  api.setCMIValue = (element, value) => {
    // Past the server's limit the commit would be refused whole: refuse the one value instead.
    if (typeof value === 'string' && value.length > longText.limit && patterns.some((p) => p.test(element))) {
      api.throwSCORMError(element, mismatch, `${element} is longer than ${longText.limit} characters`);
      return 'false';
    }
    let answer: string;
    try {
      answer = original(element, value);
    } catch (error) {
      if ((error as { errorCode?: unknown }).errorCode === mismatch && allowed(element, value) && keep(element, value)) return 'true';
      throw error;
    }
    // 2004 checks a new correct response's pattern before it creates the entry, and refuses it
    // without an exception: the entry is created with a one-character pattern, then given the whole.
    if (answer !== 'true' && String(api.lastErrorCode) === String(mismatch) && /\.correct_responses\.\d+\.pattern$/.test(element) && allowed(element, value)) {
      const owner = node(api.cmi, element.split('.').slice(1, -1));
      if (!owner && original(element, 'x') === 'true' && keep(element, value)) return 'true';
    }
    return answer;
  };
}

type CmiNode = Record<string, unknown>;

/** The node of scorm-again's CMI tree at a path below `cmi` (collections by index). */
function node(cmi: unknown, path: string[]): CmiNode | undefined {
  let current = cmi as CmiNode | undefined;
  for (const part of path) {
    if (!current) return undefined;
    current = /^\d+$/.test(part) ? (current['childArray'] as CmiNode[] | undefined)?.[Number(part)] : (current[part] as CmiNode | undefined);
  }
  return current;
}

/** Whether the player's window or the SCO's frame is being dismissed (closed, reloaded, navigated away). */
function watchDismissal(frame: HTMLIFrameElement): () => boolean {
  let dismissed = false;
  const mark = () => (dismissed = true);
  const watch = (target: Window) => {
    // Capturing listeners at the target run before the content's own (DOM §2.9), so the mark is
    // set before the content's close handler commits.
    for (const name of DISMISSAL_EVENTS) target.addEventListener(name, mark, { capture: true });
    target.addEventListener('pageshow', () => (dismissed = false));
  };
  watch(window);
  frame.addEventListener('load', () => {
    try {
      if (frame.contentWindow) watch(frame.contentWindow);
    } catch {
      // A frame on another origin: the player window's own events still mark the close.
    }
  });
  // A cancelled beforeunload leaves the page: a commit then goes by XHR again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') dismissed = false;
  });
  return () => dismissed;
}

interface ScormApi {
  cmi: unknown;
  lastErrorCode: string;
  setCMIValue(element: string, value: string): string;
  throwSCORMError(element: string, errorCode: number, message: string): void;
  loadFromFlattenedJSON(json: Record<string, string>, element?: string): void;
  renderCommitCMI(terminate: boolean): unknown;
  isInitialized(): boolean;
  isTerminated(): boolean;
  on(event: string, callback: (...args: unknown[]) => void): void;
  adl?: { nav?: { request_valid?: { continue: string; previous: string }; sequencing: unknown } };
}

type ApiConstructor = new (settings: Record<string, unknown>) => ScormApi;

interface PlayerWindow extends Window {
  Scorm12API?: ApiConstructor;
  Scorm2004API?: ApiConstructor;
  API?: ScormApi;
  API_1484_11?: ScormApi;
}

(function player() {
  const w = window as unknown as PlayerWindow;
  const configElement = document.getElementById('player-config');
  const status = document.getElementById('player-status');
  const frame = document.getElementById('sco-frame') as HTMLIFrameElement | null;
  if (!configElement || !status || !frame) return;
  const scoFrame: HTMLIFrameElement = frame;
  const config = JSON.parse(configElement.textContent ?? '{}') as PlayerConfig;
  const say = (text: string) => (status.textContent = text);

  let superseded = false;
  const notice = (httpStatus: number) => {
    if (httpStatus === 409 && !superseded) {
      superseded = true;
      say(config.texts.superseded);
    }
  };

  async function start(): Promise<void> {
    const response = await fetch(config.launchStateUrl, { method: 'POST', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`launch answered ${response.status}`);
    const state = (await response.json()) as LaunchState;
    let seq = 0;
    const envelope = (cmi: unknown, terminate: boolean) => ({ session: state.session, seq: (seq += 1), terminate, cmi });

    const choice = config.requestValid?.choice;
    // SCORM 2004 RTE 3.1.7: 391 Commit Failed; SCORM 1.2 (RTE 3.3.2) has only 101 General Exception.
    const failureCode = config.standard === 'scorm12' ? 101 : 391;
    const transport = commitTransport(failureCode, (cmi, terminate) => JSON.stringify(envelope(cmi, terminate)), watchDismissal(scoFrame), notice);
    const settings: Record<string, unknown> = {
      lmsCommitUrl: config.commitUrl,
      // adl.nav.request_valid.choice/jump.{target=…}: the server checks a jump's target like a choice's.
      ...(choice ? { scoItemIdValidator: (target: string) => choice[target] === true } : {}),
      autocommit: true,
      autocommitSeconds: 15,
      dataCommitFormat: 'flattened',
      logLevel: 4,
      httpService: transport,
    };
    const Api = config.standard === 'scorm12' ? w.Scorm12API : w.Scorm2004API;
    if (!Api) throw new Error('scorm-again is not loaded');
    const api = new Api(settings);
    acceptLongText(api, config.standard, config.longText);
    api.loadFromFlattenedJSON(state.cmi);
    // Set before the SCO calls Initialize, after which scorm-again keeps them read-only.
    const nav = api.adl?.nav;
    const valid = nav?.request_valid;
    if (config.requestValid && nav && valid) {
      // scorm-again's own sequencing has no activity tree here (the server sequences): detached, its
      // request_valid answers the values below instead of predicting from an empty tree.
      nav.sequencing = null;
      valid.continue = config.requestValid.continue ? 'true' : 'false';
      valid.previous = config.requestValid.previous ? 'true' : 'false';
    }
    if (config.standard === 'scorm12') w.API = api;
    else w.API_1484_11 = api;

    // Content that never calls Finish: its last state leaves with the page.
    const flush = () => {
      if (superseded || !api.isInitialized() || api.isTerminated()) return;
      const body = JSON.stringify(envelope(api.renderCommitCMI(false), false));
      navigator.sendBeacon(config.commitUrl, new Blob([body], { type: BEACON_TYPE }));
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flush();
    });

    // The terminating commit leaves as a beacon, which may arrive after the next page has asked
    // the server where sequencing leads. The final state is therefore committed once more (a
    // higher seq; the beacon then counts as a repeat) and acknowledged before the player moves on.
    const settle = async () => {
      try {
        await fetch(config.commitUrl, {
          method: 'POST',
          keepalive: true,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(envelope(api.renderCommitCMI(true), true)),
        });
      } catch {
        // Offline: move on; the server decides on what it has.
      }
    };
    let leaving = false;
    const go = (url: string | null | undefined) => {
      if (!url || leaving) return;
      leaving = true;
      void settle().then(() => window.location.assign(url));
    };
    // "Back to the learning path" while the SCO runs: its current state is stored first (not as
    // a Terminate: the content has not ended its session, and resumes from there).
    const back = document.getElementById('player-back');
    if (back instanceof HTMLAnchorElement) {
      back.addEventListener('click', (event) => {
        if (superseded || !api.isInitialized() || api.isTerminated()) return;
        event.preventDefault();
        if (leaving) return;
        leaving = true;
        const body = JSON.stringify(envelope(api.renderCommitCMI(false), false));
        void fetch(config.commitUrl, { method: 'POST', keepalive: true, headers: { 'content-type': 'application/json' }, body })
          .catch(() => undefined)
          .then(() => window.location.assign(back.href));
      });
    }
    // SCORM 2004 navigation (scorm-again raises these after Terminate when the LMS sequences).
    api.on('SequenceNext', () => go(config.nextUrl ?? config.exitUrl));
    api.on('SequencePrevious', () => go(config.previousUrl));
    api.on('SequenceChoice', (_element: unknown, target: unknown) => go(config.choiceUrls[String(target)]));
    api.on('SequenceJump', (_element: unknown, target: unknown) => go(config.choiceUrls[String(target)]));
    for (const exit of ['SequenceExit', 'SequenceExitAll', 'SequenceSuspendAll', 'SequenceAbandon', 'SequenceAbandonAll']) api.on(exit, () => go(config.exitUrl));
    api.on(config.standard === 'scorm12' ? 'LMSFinish' : 'Terminate', () => {
      if (superseded) return;
      if (config.singleSco) {
        // The course has ended: back to the path it was opened from (the exit page leads there
        // once the final state is stored), or, opened on its own, nothing more to choose.
        if (config.returnUrl) {
          say(config.texts.returning);
          // 2004: a navigation request the SCO made (continue, exit) goes there itself.
          setTimeout(() => go(config.exitUrl), 0);
        } else {
          say(config.texts.finishedCourse);
        }
        return;
      }
      say(config.texts.finishedPart);
      // The next part may have waited for this one (1.2 prerequisites): offer it now; the server
      // checks again when it is opened.
      const controls = document.getElementById('player-controls');
      if (config.nextUrl && controls && !document.getElementById('player-next')) {
        const link = document.createElement('a');
        link.className = 'button';
        link.id = 'player-next';
        link.href = config.nextUrl;
        link.textContent = config.texts.next;
        controls.appendChild(link);
      }
    });

    scoFrame.src = config.launchUrl;
    say(config.texts.ready);
  }

  start().catch(() => say(config.texts.failed));
})();
