import { BaseJobCallback, JobCallbackName, type JobContext, JobExecutionResult } from '@jobservice/core';

type ReportData = { recipient: string; region: string; editions: number };

/** One callback, many schedules: each schedule's metadata says who gets the report (Quartz's JobDataMap). */
@JobCallbackName('sales-report')
export class SalesReport extends BaseJobCallback<ReportData, string> {
  static defaultMetadata = { recipient: 'sales@example.com', region: 'EU', editions: 0 };
  /** After each successful run, `this.metadata` is written back to the schedule. */
  static persistMetadata = true;

  execute(_ctx: JobContext<ReportData>) {
    this.metadata = { ...this.metadata, editions: this.metadata.editions + 1 };
    return JobExecutionResult.success(
      `edition ${this.metadata.editions} of the ${this.metadata.region} report for ${this.metadata.recipient}`,
    );
  }
}

/** Deletes expired sessions. */
@JobCallbackName('cleanup-sessions')
export class CleanupSessions extends BaseJobCallback<Record<string, never>, { removed: number }> {
  execute() {
    return JobExecutionResult.success({ removed: 3 });
  }
}

/** A one-off reminder. */
@JobCallbackName('send-reminder')
export class SendReminder extends BaseJobCallback<{ to: string; text: string }, string> {
  execute() {
    return JobExecutionResult.success(`reminded ${this.metadata.to}: ${this.metadata.text}`);
  }
}
