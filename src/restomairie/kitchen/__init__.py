"""The central kitchen's side: meal counts per day, delivery site and menu variant (locked or
provisional), their JSON/CSV exports, the kitchen staff pages and the lock/counts commands."""
