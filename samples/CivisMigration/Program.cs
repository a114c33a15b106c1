return await CivisMigration.CivisMigrationApp.RunAsync(args);
