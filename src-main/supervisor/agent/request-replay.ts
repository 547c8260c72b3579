/**
 * The answers to the latest spawn requests by requestId, so a repeated request
 * (a retry after a lost reply) gets the first answer instead of a second agent.
 * Bounded: the oldest answers are forgotten first.
 */
import type { DeploymentResponse } from '../types';

export class RequestReplay {
  private readonly answers = new Map<string, Promise<DeploymentResponse>>();

  constructor(private readonly capacity = 1000) {}

  get(requestId: string): Promise<DeploymentResponse> | undefined {
    return this.answers.get(requestId);
  }

  remember(requestId: string, answer: Promise<DeploymentResponse>): void {
    this.answers.set(requestId, answer);
    if (this.answers.size > this.capacity) this.answers.delete(this.answers.keys().next().value!);
  }

  forget(requestId: string): void {
    this.answers.delete(requestId);
  }
}
