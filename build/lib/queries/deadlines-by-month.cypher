// name: deadlines-by-month
// description: Measure deadlines (完成时限) by month, optionally between two dates, with the measures due.
// param: from: date? - first day (ISO date), inclusive
// param: to: date? - last day (ISO date), inclusive
// example: from=2017-01-01 to=2017-12-31
MATCH (m:Measure)
WHERE m.deadline IS NOT NULL
  AND ($from IS NULL OR m.deadline >= date($from)) AND ($to IS NULL OR m.deadline <= date($to))
WITH m.deadline.year AS year, m.deadline.month AS month, m ORDER BY m.deadline, m.uri
WITH year, month, collect(m.title) AS titles, count(m) AS measures,
     count(CASE WHEN m.status = 'completed' THEN 1 END) AS completed
RETURN year, month, measures, completed, titles
ORDER BY year, month
