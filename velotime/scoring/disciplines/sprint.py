"""The sprint scorer: one race of a sprint match (uci-rules.md §2.3), scored as a keirin heat is
(`disciplines.keirin`): the same evidence, the same rules.

- The winner from the photo-finish camera's latest complete block, else from the finish loop
  (crossing number `laps + 1` from the start: 3 laps on tracks under 333.33 m, 3.2.029), two
  riders less than 0.03 s apart flagged "photo required" (uci-rules.md §4.3).
- The winner's last 200 m, from their last 200 m line crossing before the finish.
- Relegation is the `status` command's REL: the relegated rider is ranked after the opponent,
  who wins the race (3.2.047-3.2.049). DNS, DNF: the opponent wins by walk-over. A place
  correction is the commissaires' word.
- A re-ride is the `abandon` command: the race's timing is thrown away (the audit trail keeps
  how much), the decisions stay, and the race is ridden again under the same event.
"""

from velotime.scoring.disciplines.keirin import KeirinScorer


class SprintScorer(KeirinScorer):
    what = "sprint"
