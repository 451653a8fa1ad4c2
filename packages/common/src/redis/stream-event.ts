/** A domain event as it travels on the durable stream. `id` is the producer's outbox id, unique per event. */
export interface DomainEvent {
  id: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: string;
}

/** An event with its position in the stream (the entry id). */
export interface PositionedEvent {
  position: string;
  event: DomainEvent;
}
