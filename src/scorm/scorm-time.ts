/**
 * SCORM time values. Strict in what we write, liberal in what we accept: authoring tools send
 * `PT50S.21S`, `P0S`, `0000:00:05`, `00:02:30.5` and worse, and a total must still come out.
 */

const HMS = /^(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$/;
const ISO_UNITS = /(\d+(?:[.,]\d+)?)([YMWDHS])/gi;

/** Seconds in a 1.2 CMITimespan or a 2004 timeinterval; undefined when nothing can be read. */
export function parseDuration(value: string): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const hms = HMS.exec(text);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  if (!/^-?P/i.test(text)) return undefined;
  // `PT50S.21S` (seen in the wild) means 50.21 seconds.
  const cleaned = text.replace(/S[.,](\d+)S$/i, '.$1S');
  const [date = '', time = ''] = cleaned.replace(/^-?P/i, '').split(/T/i);
  let seconds = 0;
  let matched = false;
  const add = (part: string, inTime: boolean) => {
    for (const match of part.matchAll(ISO_UNITS)) {
      matched = true;
      const n = Number(match[1]!.replace(',', '.'));
      switch (match[2]!.toUpperCase()) {
        case 'Y': seconds += n * 365 * 86400; break;
        case 'M': seconds += inTime ? n * 60 : n * 30 * 86400; break;
        case 'W': seconds += n * 7 * 86400; break;
        case 'D': seconds += n * 86400; break;
        case 'H': seconds += n * 3600; break;
        case 'S': seconds += n; break;
      }
    }
  };
  add(date, false);
  add(time, true);
  if (!matched) return undefined;
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** SCORM 1.2 CMITimespan, HHHH:MM:SS.SS. */
export function formatScorm12Time(totalSeconds: number): string {
  const centis = Math.round(Math.max(0, totalSeconds) * 100);
  const hours = Math.floor(centis / 360000);
  const minutes = Math.floor((centis % 360000) / 6000);
  const seconds = (centis % 6000) / 100;
  const ss = seconds.toFixed(2).padStart(5, '0');
  return `${String(hours).padStart(4, '0')}:${String(minutes).padStart(2, '0')}:${ss}`;
}

/** SCORM 2004 timeinterval (ISO 8601 duration, centisecond precision). */
export function formatScorm2004Time(totalSeconds: number): string {
  const centis = Math.round(Math.max(0, totalSeconds) * 100);
  const hours = Math.floor(centis / 360000);
  const minutes = Math.floor((centis % 360000) / 6000);
  const seconds = (centis % 6000) / 100;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${Number(seconds.toFixed(2))}S`;
}
