"""The database: embedded server, pools and drivers, migrations, error translation."""
