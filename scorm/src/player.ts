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
  choiceUrls: Record<string, string>;
  /** SCORM 2004: what the server's sequencing allows from this SCO (adl.nav.request_valid). */
  requestValid: { continue: boolean; previous: boolean; choice: Record<string, boolean> } | null;
  texts: { ready: string; failed: string; superseded: string; finishedPart: string; next: string };
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
    // SCORM 2004 RTE 3.1.7.6: 391 General Commit Failure; SCORM 1.2 has only 101 General Exception.
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
    const go = (url: string | null | undefined) => {
      if (url) void settle().then(() => window.location.assign(url));
    };
    // SCORM 2004 navigation (scorm-again raises these after Terminate when the LMS sequences).
    api.on('SequenceNext', () => go(config.nextUrl ?? config.exitUrl));
    api.on('SequencePrevious', () => go(config.previousUrl));
    api.on('SequenceChoice', (_element: unknown, target: unknown) => go(config.choiceUrls[String(target)]));
    api.on('SequenceJump', (_element: unknown, target: unknown) => go(config.choiceUrls[String(target)]));
    for (const exit of ['SequenceExit', 'SequenceExitAll', 'SequenceAbandon', 'SequenceAbandonAll']) api.on(exit, () => go(config.exitUrl));
    api.on(config.standard === 'scorm12' ? 'LMSFinish' : 'Terminate', () => {
      if (superseded) return;
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
