// Reports in and out: open a report file (or one saved on this computer) and show it in the pages,
// list and delete saved ones, and the file a finished check downloads. The checks (report/validate)
// load on first use.

import type { DiagnoseReport, ReportRefusal } from '$lib/report';
import type { ReportRecord } from '$lib/storage';
import type { DeviceSession } from './session.svelte';

export type { ReportRefusal } from '$lib/report';
export type { ReportRecord } from '$lib/storage';

export type OpenResult = { ok: true; report: DiagnoseReport } | { ok: false; refusal: ReportRefusal };

/** Read a dropped or picked file, check it, and show it in the pages when it is a good report. */
export async function openReportFile(session: DeviceSession, file: Blob): Promise<OpenResult> {
  const { parseReport, MAX_REPORT_BYTES } = await import('$lib/report/validate');
  if (file.size > MAX_REPORT_BYTES) return { ok: false, refusal: { kind: 'too-large', size_B: file.size, max_B: MAX_REPORT_BYTES } };
  const r = parseReport(await file.text());
  if (r.ok) await session.showReport(r.report);
  return r;
}

/** Reports saved on this computer, newest first (without their bodies). */
export async function savedReports(session: DeviceSession): Promise<ReportRecord[]> {
  const db = await session.database();
  return (await db.reports.list()).filter((r) => r.kind === 'diagnose');
}

/** Show a saved report; checked like a file (it may come from an older version of the app). */
export async function openSavedReport(session: DeviceSession, id: number): Promise<OpenResult> {
  const [{ checkReport }, db] = await Promise.all([import('$lib/report/validate'), session.database()]);
  const body = await db.reports.body(id);
  const r = checkReport(body);
  if (r.ok) await session.showReport(r.report);
  return r;
}

export async function deleteSavedReport(session: DeviceSession, id: number): Promise<void> {
  const db = await session.database();
  await db.reports.delete(id);
}

/** The report file's name and text (JSON). */
export async function reportFile(report: DiagnoseReport): Promise<{ name: string; text: string }> {
  const { reportFileName, reportJson } = await import('$lib/report/build');
  return { name: reportFileName(report), text: reportJson(report) };
}

/** A saved report's file (its stored body, as saved). */
export async function savedReportFile(session: DeviceSession, id: number): Promise<{ name: string; text: string } | null> {
  const [{ checkReport }, db] = await Promise.all([import('$lib/report/validate'), session.database()]);
  const r = checkReport(await db.reports.body(id));
  return r.ok ? reportFile(r.report) : null;
}
