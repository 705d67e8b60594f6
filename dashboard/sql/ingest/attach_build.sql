ATTACH $path AS out;
