/** Who did it, from where: bound to every audited action (an API session, or the hub itself). */
export interface Actor {
  readonly username: string;
  readonly role: string;
  /** Source address of the request, when there is one. */
  readonly source?: string | undefined;
}
