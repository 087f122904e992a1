import type { Hub } from './hub.ts';

const DAY = 86_400_000;

/**
 * A few hazards in the demo's ledger (隐患台账) — one of them overdue — so a
 * newcomer sees every screen with content. Only into an empty ledger, so a
 * second demo start adds nothing; a hazard whose zone the config lacks goes to
 * the first zone. Reported by the demo's officer on earlier days (a deadline may
 * not be in the past on the day a hazard is reported).
 */
export function seedDemoHazards(hub: Hub): number {
  const now = hub.clock.now();
  if (hub.hazards.list({}, now).length > 0) return 0;
  const zones = hub.config.zones;
  const zone = (id: string): { id: string; responsible: string } => {
    const z = zones.find((candidate) => candidate.id === id) ?? zones[0]!;
    return { id: z.id, responsible: z.responsible ?? '值班主任' };
  };
  const day = (ms: number): string => hub.hazards.today(ms);
  const officer = { username: 'officer1', role: 'officer' };
  const seeds = [
    { reportedAt: now - 10 * DAY, title: '北门护栏松动', description: '第三根立柱螺栓缺失，学生倚靠有倾倒风险', category: 'campus-safety', zone: 'gate-north', deadline: day(now - 3 * DAY) },
    { reportedAt: now - 2 * DAY, title: '食堂灭火器过期', description: '后厨两具干粉灭火器压力不足', category: 'campus-safety', zone: 'canteen', deadline: day(now + 5 * DAY) },
    { reportedAt: now - DAY, title: '宿舍楼道应急灯不亮', description: '三楼东侧两盏', category: 'campus-safety', zone: 'dormitory', deadline: day(now + 2 * DAY) },
  ];
  let created = 0;
  for (const s of seeds) {
    const { id, responsible } = zone(s.zone);
    hub.hazards.create({ title: s.title, description: s.description, category: s.category, zoneId: id, responsible, deadline: s.deadline }, officer, s.reportedAt);
    created++;
  }
  return created;
}
