/**
 * The reads a transition's decision needs before its compare-and-set: the
 * signer as named now, the files it refers to (the appeal's own), and, for an
 * appeal proposed before decisions were kept, the proposal from its status
 * history. The rules themselves are pure (decision.rules.ts).
 */
import type { Transition } from '../../../shared/status-machine.js';
import type { AppealRecord, DecisionRecord, SignerRecord, Store } from '../../store/store.js';
import { invalid } from '../errors.js';
import { outcomeOf, type TransitionOutcome } from './decision.rules.js';

/** The actions whose comment is a decision's text. */
const DECIDING = new Set<string>(['propose_resolution', 'reject']);

export class DecisionIssuer {
  constructor(
    private readonly store: Store,
    private readonly newId: () => string,
  ) {}

  /** What the transition does to the decisions and the review; refuses files that are not the appeal's, or files on an action that decides nothing. */
  async outcomeFor(
    appeal: AppealRecord,
    t: Transition,
    actorId: string | null,
    comment: string | null,
    attachmentIds: readonly string[],
    now: number,
  ): Promise<TransitionOutcome> {
    const files = [...new Set(attachmentIds)];
    if (files.length > 0 && !DECIDING.has(t.action)) {
      throw invalid({ attachmentIds: 'файлы прикладываются к решению: при предложении решения или отклонении' });
    }
    if (files.length > 0) await this.checkFiles(appeal.id, files);
    const signer = DECIDING.has(t.action) && actorId ? await this.signerOf(actorId, appeal.departmentId) : null;
    const hasProposal = appeal.decisions.some((d) => d.issuedAt === null);
    const fallbackProposal = t.to === 'completed' && !hasProposal ? await this.proposalFromHistory(appeal) : null;
    return outcomeOf({ appeal, t, now, comment, attachmentIds: files, signer, fallbackProposal, newId: this.newId });
  }

  /** The officer as they sign: name, role and department now. */
  async signerOf(userId: string, departmentId: string | null): Promise<SignerRecord> {
    const user = await this.store.users.get(userId);
    const department = departmentId ? await this.store.catalogue.getDepartment(departmentId) : null;
    return {
      id: userId,
      name: user?.fullName ?? '',
      role: user?.role === 'supervisor' ? 'supervisor' : 'operator',
      departmentName: department?.name ?? '',
    };
  }

  private async checkFiles(appealId: string, ids: readonly string[]): Promise<void> {
    const own = new Set((await this.store.attachments.list(appealId)).map((a) => a.id));
    if (ids.some((id) => !own.has(id))) throw invalid({ attachmentIds: 'к решению прикладываются только файлы этого обращения' });
  }

  /** The last proposed resolution in the status history, as a decision not yet issued; null when there is none. */
  private async proposalFromHistory(appeal: AppealRecord): Promise<DecisionRecord | null> {
    const history = await this.store.appeals.history(appeal.id);
    const last = history.filter((h) => h.action === 'propose_resolution').at(-1);
    if (!last) return null;
    return {
      id: this.newId(),
      seq: 0,
      kind: 'completion',
      text: last.comment ?? '',
      attachmentIds: [],
      signer: last.actorId ? await this.signerOf(last.actorId, appeal.departmentId) : { id: '', name: '', role: 'operator', departmentName: '' },
      appealNumber: appeal.number ?? '',
      proposedAt: last.at,
      issuedAt: null,
      reviewId: null,
    };
  }
}
