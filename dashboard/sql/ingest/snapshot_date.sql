SELECT snapshot_date FROM out.snapshot_info;
