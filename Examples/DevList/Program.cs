return DevList.DevListCommand.Run(args, Console.Out, Console.Error);
