using DmaCopy;

return DmaCopyApp.Run(args, Console.Out, Console.Error);
