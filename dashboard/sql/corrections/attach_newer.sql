ATTACH $path AS newer (READ_ONLY);
