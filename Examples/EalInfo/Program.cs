return EalInfo.EalInfoApp.Run(args, Console.In, Console.Out, Console.Error);
