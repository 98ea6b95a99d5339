"""劳动和技能竞赛 — skill contests by trade, "五小" innovation contests and 安康杯 knowledge quizzes."""
