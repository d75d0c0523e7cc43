-- 0051_problem_team (PostgreSQL twin of migration/0051_problem_team.sql):
-- each problem goes to a help team (帮扶组: 政策宣传组, 创新服务组,
-- 困难帮扶组), chosen when it is filed; problems are listed and digested
-- per team.
ALTER TABLE problems ADD COLUMN team TEXT NOT NULL DEFAULT '';
